import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into something a thread can wait for.
///
/// The handler only writes a byte to a pipe (all a signal handler may safely do); ``wait()``
/// reads it. Installing it also replaces the handlers libfcgi sets up in `FCGX_Init`, and
/// ignores SIGPIPE so a web server that hangs up mid-response is an error code, not a crash.
public enum ShutdownSignal {
    /// Installs the handlers. Call once, after the server is created and before ``wait()``.
    public static func install() {
        guard let wakePipe = try? WakePipe() else {
            fatalError("cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        signalPipeRead = wakePipe.readDescriptor
        signalPipeWrite = wakePipe.writeDescriptor
        signal(SIGPIPE, SIG_IGN)
        for signalNumber in [SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signalNumber in
                WakePipe.wake(signalPipeWrite, with: UInt8(truncatingIfNeeded: signalNumber))
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
    }

    /// Ignores SIGPIPE: a peer that hangs up turns writes into errors instead of killing us.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Blocks until SIGTERM or SIGINT arrives; returns its name.
    public static func wait() -> String {
        var byte: UInt8 = 0
        while true {
            let count = read(signalPipeRead, &byte, 1)
            if count == 1 { return Int32(byte) == SIGINT ? "SIGINT" : "SIGTERM" }
            if count < 0 && errno == EINTR { continue }
            return "signal pipe closed"
        }
    }

    /// Waits for SIGTERM or SIGINT on a thread of its own, so no concurrency pool thread blocks.
    public static func waitInBackground() async -> String {
        await withCheckedContinuation { continuation in
            DetachedThread.start(name: "shutdown-signal") { continuation.resume(returning: Self.wait()) }
        }
    }
}

nonisolated(unsafe) private var signalPipeRead: Int32 = -1
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1
