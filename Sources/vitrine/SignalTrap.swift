import Foundation

/// Turns the first SIGINT/SIGTERM into a clean cancellation; a second one exits at once (130).
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private var count = 0
    private let lock = NSLock()

    /// Installs handlers that call `onSignal` once.
    init(onSignal: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.lock.withLock { self.count += 1; return self.count }
                if n == 1 {
                    FileHandle.standardError.write(Data("\nvitrine: stopping — cancelling running stages (press Ctrl-C again to quit at once)\n".utf8))
                    onSignal()
                } else { exit(130) }
            }
            src.resume()
            sources.append(src)
        }
    }

    /// Restores default signal handling.
    func disarm() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL)
    }
}
