import Foundation

/// Where a stage input comes from: another stage's output, or a path relative to the pipeline file.
public enum InputRef: Sendable, Hashable, CustomStringConvertible {
    case artifact(stage: String, output: String)
    case path(String)

    /// `stage.output` or the path as written.
    public var description: String {
        switch self {
        case .artifact(let s, let o): return "\(s).\(o)"
        case .path(let p): return p
        }
    }
}

/// A shell stage: a command with declared inputs and outputs.
public struct ShellSpec: Sendable, Hashable {
    /// The command, run with `/bin/sh -c` in the pipeline's folder.
    public var command: String
    /// Declared outputs: names (files or folders) under `$VITRINE_OUT`.
    public var outputs: [String]
    /// Extra environment variables.
    public var env: [String: String]
}

/// What a stage does: a registered built-in type with parameters, or a shell command.
public enum StageBody: Sendable, Hashable {
    case builtin(type: String, parameters: [String: JSONValue])
    case shell(ShellSpec)
}

/// One stage after `foreach`/`matrix` expansion and reference resolution.
public struct StageSpec: Sendable, Hashable {
    /// Unique name, e.g. `train@resnet18` for an expanded stage.
    public var name: String
    /// The name as written in the file (`train`).
    public var baseName: String
    /// The expansion's variables (`backbone: resnet18`), empty when not expanded.
    public var matrix: [String: JSONValue]
    public var body: StageBody
    /// Inputs by parameter name (built-ins) or input name (shell stages), in order.
    public var inputs: [String: [InputRef]]
    /// Every stage this one waits for: `needs:` plus stages whose outputs it reads.
    public var needs: [String]
    /// Paths outside the state directory that the stage writes (must be unique across stages).
    public var outputPaths: [String]
    /// Extra attempts after a failure.
    public var retries: Int
    /// First retry delay in seconds; doubles each attempt.
    public var retryDelay: Double
    /// Per-attempt time limit in seconds.
    public var timeout: Double?
    /// Where the stage is declared.
    public var location: SourceLocation

    /// The stage type: the registered name, or `shell`.
    public var typeName: String {
        if case .builtin(let t, _) = body { return t }
        return "shell"
    }
}

/// A validated pipeline: parameters and expanded stages in declaration order.
public struct PipelineSpec: Sendable {
    /// The pipeline file.
    public var file: URL
    /// Its folder: relative paths resolve here.
    public var directory: URL { file.deletingLastPathComponent() }
    /// Top-level parameters after `--set` overrides.
    public var params: [String: JSONValue]
    /// Stages in declaration order.
    public var stages: [StageSpec]

    /// The stage named `name`.
    public func stage(_ name: String) -> StageSpec? { stages.first { $0.name == name } }

    /// The seed from `params.seed` (0 when absent).
    public var seed: UInt64 {
        if let i = params["seed"]?.intValue { return UInt64(truncatingIfNeeded: i) }
        return 0
    }
}
