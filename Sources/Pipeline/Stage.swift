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

/// A stage that can start on the items of one input while the upstream stage that writes it is still
/// running: the upstream announces each finished item (`StageContext.announce`), and the runner hands
/// them to `workAhead` on threads of its own. Whatever it records must be keyed by content in the
/// stage's journal, so that `run` reuses it whatever the upstream finally commits (a record's meta
/// can carry `ctx.runID` so that `run` tells work done ahead from work of earlier runs).
public protocol WorksAhead: Stage {
    /// The artifact parameter whose producer's items it takes early.
    static var aheadInput: String { get }
    /// Whether this instance wants to (a parameter can turn it off).
    var worksAhead: Bool { get }
    /// Works on items from `feed` until it returns nil; returns how many items it finished. It runs on
    /// a thread of its own and may block; it reads no input (other upstreams may not have run yet) and
    /// writes no output, only the journal and blobs.
    func workAhead(on feed: ItemFeed, in context: StageContext) throws -> Int
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
