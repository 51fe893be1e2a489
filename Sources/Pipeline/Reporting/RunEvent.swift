/// Something the runner tells its reporter about a stage.
public enum RunEvent: Sendable {
    case runStarted(runID: Int64, pipeline: String, stages: Int, resumed: Bool)
    case stageSkipped(stage: String, reason: String)
    case stageStarted(stage: String, type: String, reason: String, attempt: Int)
    case stageSucceeded(stage: String, seconds: Double, outputDirectory: String)
    case stageFailed(stage: String, error: String, willRetry: Bool, logFile: String?)
    case stageBlocked(stage: String, by: String)
    case runFinished(runID: Int64, status: RunStatus, seconds: Double, hint: String?)
}

/// A reporter that also hears the runner's own events.
public protocol RunReporter: StageReporter {
    /// A runner event.
    func event(_ e: RunEvent)
}

extension SilentReporter: RunReporter {
    /// Ignores the event.
    public func event(_ e: RunEvent) {}
}
