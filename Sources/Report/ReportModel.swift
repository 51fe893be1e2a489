import Foundation

/// Everything one run report shows, as plain values (no knowledge of the runner).
public struct ReportModel: Sendable {
    /// Page heading.
    public var title: String
    /// Line under the heading (run id, date, pipeline).
    public var subtitle: String
    /// The DAG: one entry per stage, in pipeline order.
    public var stages: [StageStatusRow]
    /// Rows left after each cleaning step, in order.
    public var funnel: [FunnelStep]
    /// Rows dropped per stage and reason.
    public var drops: [ReasonCount]
    /// Failed downloads per reason.
    public var downloadFailures: [ReasonCount]
    /// Per-epoch metric charts (one line per backbone).
    public var charts: [MetricChart]
    /// Confusion matrices (one per evaluated model).
    public var confusionMatrices: [ConfusionMatrix]
    /// Sample image queries with their neighbours.
    public var imageQueries: [ImageQuery]
    /// Sample text queries with neighbours per method (BoW, TF-IDF).
    public var textQueries: [TextQuery]
    /// Free-form notes (e.g. inputs that could not be read).
    public var notes: [String]

    /// A report; every section may be empty and is then left out.
    public init(title: String, subtitle: String = "", stages: [StageStatusRow] = [], funnel: [FunnelStep] = [],
                drops: [ReasonCount] = [], downloadFailures: [ReasonCount] = [], charts: [MetricChart] = [],
                confusionMatrices: [ConfusionMatrix] = [], imageQueries: [ImageQuery] = [], textQueries: [TextQuery] = [],
                notes: [String] = []) {
        self.title = title; self.subtitle = subtitle; self.stages = stages; self.funnel = funnel; self.drops = drops
        self.downloadFailures = downloadFailures; self.charts = charts; self.confusionMatrices = confusionMatrices
        self.imageQueries = imageQueries; self.textQueries = textQueries; self.notes = notes
    }
}

/// One stage of the run: status, duration, cache hit and the stages it needs.
public struct StageStatusRow: Sendable, Hashable {
    /// Stage name in the pipeline.
    public var name: String
    /// Stage type (`uses:`) or `run` for shell stages.
    public var type: String
    /// Status word: succeeded, failed, skipped, running, cancelled, pending.
    public var status: String
    /// Wall time in seconds, when known.
    public var durationSeconds: Double?
    /// Whether the outputs came from the cache (fingerprint unchanged).
    public var cached: Bool
    /// Names of upstream stages.
    public var needs: [String]

    /// A stage row.
    public init(name: String, type: String, status: String, durationSeconds: Double? = nil, cached: Bool = false, needs: [String] = []) {
        self.name = name; self.type = type; self.status = status; self.durationSeconds = durationSeconds
        self.cached = cached; self.needs = needs
    }
}

/// Rows remaining after one step of the data funnel.
public struct FunnelStep: Sendable, Hashable {
    /// Step label, e.g. `drop_nulls`.
    public var label: String
    /// Rows after the step.
    public var rows: Int
    /// A funnel step.
    public init(label: String, rows: Int) { self.label = label; self.rows = rows }
}

/// A count of rows or items for one reason.
public struct ReasonCount: Sendable, Hashable {
    /// Stage that dropped or failed them.
    public var stage: String
    /// Reason class, e.g. `null_price`, `http_404`.
    public var reason: String
    /// How many.
    public var count: Int
    /// A reason count.
    public init(stage: String, reason: String, count: Int) { self.stage = stage; self.reason = reason; self.count = count }
}

/// One chart: a metric over epochs, one line per series.
public struct MetricChart: Sendable, Hashable {
    /// Metric name, e.g. `accuracy`.
    public var metric: String
    /// Lines (one per backbone).
    public var series: [MetricSeries]
    /// A chart.
    public init(metric: String, series: [MetricSeries]) { self.metric = metric; self.series = series }
}

/// One line of a chart.
public struct MetricSeries: Sendable, Hashable {
    /// Legend label.
    public var label: String
    /// Points, x ascending (epochs).
    public var points: [ChartPoint]
    /// A series.
    public init(label: String, points: [ChartPoint]) { self.label = label; self.points = points }
}

/// One (x, y) point.
public struct ChartPoint: Sendable, Hashable {
    /// Horizontal value (epoch).
    public var x: Double
    /// Vertical value.
    public var y: Double
    /// A point.
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A confusion matrix: `counts[truth * classes.count + predicted]`.
public struct ConfusionMatrix: Sendable, Hashable {
    /// Caption (model name, epoch).
    public var title: String
    /// Class names in index order.
    public var classes: [String]
    /// Row-major counts, true class by predicted class.
    public var counts: [Int]
    /// A matrix; `counts` must hold classes² values (extra values are ignored, missing ones read as 0).
    public init(title: String, classes: [String], counts: [Int]) { self.title = title; self.classes = classes; self.counts = counts }
}

/// Image bytes to inline as a data URI.
public struct ReportImage: Sendable, Hashable {
    /// MIME type, e.g. `image/jpeg`.
    public var mimeType: String
    /// The encoded bytes.
    public var data: Data
    /// An image.
    public init(mimeType: String, data: Data) { self.mimeType = mimeType; self.data = data }
    /// The `data:` URI.
    public var dataURI: String { "data:\(mimeType);base64,\(data.base64EncodedString())" }
}

/// A product as shown in a gallery: thumbnail, title, type and distance to the query.
public struct ProductTile: Sendable, Hashable {
    /// Product id.
    public var id: String
    /// Title.
    public var title: String
    /// Second line (product type).
    public var detail: String
    /// Distance to the query (nil for the query itself).
    public var distance: Double?
    /// Thumbnail, when available.
    public var image: ReportImage?
    /// A tile.
    public init(id: String, title: String, detail: String = "", distance: Double? = nil, image: ReportImage? = nil) {
        self.id = id; self.title = title; self.detail = detail; self.distance = distance; self.image = image
    }
}

/// A sample visual query and its nearest products.
public struct ImageQuery: Sendable, Hashable {
    /// The query product.
    public var query: ProductTile
    /// Its neighbours, closest first.
    public var neighbors: [ProductTile]
    /// A query.
    public init(query: ProductTile, neighbors: [ProductTile]) { self.query = query; self.neighbors = neighbors }
}

/// A sample text query and its neighbours per method.
public struct TextQuery: Sendable, Hashable {
    /// The query product.
    public var query: ProductTile
    /// Neighbours per method name (e.g. `bow`, `tfidf`), closest first.
    public var methods: [(name: String, neighbors: [ProductTile])] {
        get { zip(methodNames, methodNeighbors).map { ($0, $1) } }
        set { methodNames = newValue.map(\.name); methodNeighbors = newValue.map(\.neighbors) }
    }
    private var methodNames: [String]
    private var methodNeighbors: [[ProductTile]]

    /// A query with its neighbours per method.
    public init(query: ProductTile, methods: [(name: String, neighbors: [ProductTile])]) {
        self.query = query; self.methodNames = methods.map(\.name); self.methodNeighbors = methods.map(\.neighbors)
    }
}
