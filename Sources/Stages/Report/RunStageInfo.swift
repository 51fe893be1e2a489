import Foundation

/// One stage of a run as the CLI knows it, for `vitrine report RUN`: what ran, how, and where its outputs are.
public struct RunStageInfo: Sendable, Hashable {
    /// Stage name in the pipeline.
    public var name: String
    /// Stage type (`uses:`), or `run` for a shell stage.
    public var type: String
    /// Execution status word (succeeded, failed, skipped, running, cancelled, pending).
    public var status: String
    /// Wall time in seconds, when known.
    public var durationSeconds: Double?
    /// Whether the outputs came from the cache.
    public var cached: Bool
    /// Upstream stage names.
    public var needs: [String]
    /// The stage's committed output folder (holds summary.json, metrics.json and the outputs), when any.
    public var outputFolder: URL?

    /// A stage entry.
    public init(name: String, type: String, status: String, durationSeconds: Double? = nil, cached: Bool = false,
                needs: [String] = [], outputFolder: URL? = nil) {
        self.name = name; self.type = type; self.status = status; self.durationSeconds = durationSeconds
        self.cached = cached; self.needs = needs; self.outputFolder = outputFolder
    }
}
