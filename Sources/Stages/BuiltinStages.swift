import Pipeline

/// Every built-in stage type, registered by its `typeName`.
public enum BuiltinStages {
    /// The registry the CLI validates pipelines against.
    public static let registry = StageRegistry(all)

    /// The built-in types, grouped by area.
    public static let all: [any Stage.Type] = []
}
