import Pipeline

/// Every built-in stage type, registered by its `typeName`.
public enum BuiltinStages {
    /// The registry the CLI validates pipelines against.
    public static let registry = StageRegistry(all)

    /// Stage types whose work runs through OpenBLAS (a pipeline with one needs the tuned kernels).
    public static let usingBLAS: Set<String> = [TrainStage.typeName, EvaluateStage.typeName, EmbedStage.typeName,
                                                IndexPublishStage.typeName]

    /// The built-in types, in pipeline order.
    public static let all: [any Stage.Type] = [
        CatalogLoadStage.self, DropNullsStage.self, DedupeTitlesStage.self, TextSimilarityStage.self,
        DownloadStage.self, DatasetBalanceStage.self, DatasetSplitStage.self, PrepareStage.self,
        TrainStage.self, EvaluateStage.self, EmbedStage.self, IndexPublishStage.self, ReportHTMLStage.self,
    ]
}
