/// A built-in stage type: declared parameters and outputs, and an async `run`.
///
/// A stage reads its inputs through `StageContext.input(_:)`, writes each declared output to
/// `StageContext.output(_:)` (a staging path), and reports progress, metrics and a summary
/// through the context. It never touches the state directory or the store directly: the
/// runner renames staged outputs into place and records them in one transaction.
public protocol Stage: Sendable {
    /// The registered type name used after `uses:`, e.g. `catalog.load`.
    static var typeName: String { get }
    /// Implementation version; bump it when the outputs for the same inputs would change.
    static var version: Int { get }
    /// One line for `vitrine stages` and the README.
    static var summary: String { get }
    /// Parameters accepted under `with:`.
    static var parameters: [ParameterSpec] { get }
    /// Outputs written to the staging folder.
    static var outputs: [OutputSpec] { get }
    /// Builds the stage from resolved parameters; throw `StageError.invalidParameter` on bad values.
    init(parameters: StageParameters) throws
    /// Does the work.
    func run(in context: StageContext) async throws
}

/// The registry of built-in stage types, looked up by `typeName`.
public struct StageRegistry: Sendable {
    /// Registered types by name.
    public let types: [String: any Stage.Type]

    /// A registry of the given types.
    public init(_ types: [any Stage.Type]) {
        var map: [String: any Stage.Type] = [:]
        for t in types { map[t.typeName] = t }
        self.types = map
    }

    /// The type registered under `name`.
    public func type(named name: String) -> (any Stage.Type)? { types[name] }

    /// Registered names, sorted.
    public var names: [String] { types.keys.sorted() }
}
