/// A position in a pipeline file.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    /// A location; line and column start at 1.
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }

    /// `file:line:column`, the form editors and terminals recognise.
    public var description: String { "\(file):\(line):\(column)" }
}

/// An invalid pipeline file or invocation: names file, line and column when known (exit code 2).
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public let location: SourceLocation?
    public let message: String

    /// An error at a location.
    public init(_ message: String, at location: SourceLocation? = nil) { self.message = message; self.location = location }

    /// `file:line:col: error: message`.
    public var description: String {
        if let location { return "\(location): error: \(message)" }
        return "error: \(message)"
    }
}
