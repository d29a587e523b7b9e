import Foundation
import Synchronization

/// The real `data-action` binary (or a wrapper that execs it) running as a child process,
/// with its standard output and error captured.
public final class ServiceProcess: Sendable {
    /// The `data-action` binary built next to the test bundle.
    public static let binaryPath: String = {
        let testExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: testExecutable).deletingLastPathComponent().appendingPathComponent("data-action").path
    }()

    private let process: Process
    private let output = Mutex(Captured())
    private let readersDone = DispatchGroup()
    /// The exit status, once the reaper thread has collected it.
    private let exitStatus = Mutex<Int32?>(nil)
    private let exited = DispatchSemaphore(value: 0)

    struct Captured {
        var standardOutput: [UInt8] = []
        var standardError: [UInt8] = []
    }

    /// Starts a process.
    ///
    /// - Parameters:
    ///   - executable: the program; the data-action binary unless given (spawn-fcgi, …).
    ///   - arguments: its arguments.
    ///   - environment: its whole environment besides `PATH`: nothing leaks in from the tests.
    ///   - standardInput: bytes to feed on standard input, then end of file.
    ///   - workingDirectory: where it runs (so no stray `.env` is read).
    public init(
        executable: String = ServiceProcess.binaryPath,
        arguments: [String],
        environment: [String: String],
        standardInput: [UInt8] = [],
        inheritedSocket: Int32? = nil,
        workingDirectory: String
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"]) { current, _ in current }
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        let input = Pipe()
        let standardOutput = Pipe()
        let standardError = Pipe()
        if let inheritedSocket {
            // The child gets the socket as fd 0, as from spawn-fcgi.
            process.standardInput = FileHandle(fileDescriptor: inheritedSocket, closeOnDealloc: false)
        } else {
            process.standardInput = input
        }
        process.standardOutput = standardOutput
        process.standardError = standardError
        self.process = process
        // A child inherits the blocked signals of the thread that starts it, and the threads
        // Swift concurrency runs tests on block nearly all of them. nginx and the service unblock
        // what they use; Apache and lighttpd do not, and would never see the SIGTERM that stops
        // them. Start the child with none blocked.
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        input.fileHandleForWriting.write(Data(standardInput))
        try input.fileHandleForWriting.close()
        self.read(standardOutput.fileHandleForReading) { $0.standardOutput.append(contentsOf: $1) }
        self.read(standardError.fileHandleForReading) { $0.standardError.append(contentsOf: $1) }
        self.reap()
    }

    /// Collects the child's exit with a blocking waitpid on a thread of its own.
    ///
    /// Foundation's own child monitoring on Linux relies on SIGCHLD reaching a dispatch source,
    /// which other threads can swallow; its waitUntilExit then spins for ever on a zombie.
    private func reap() {
        let processIdentifier = self.process.processIdentifier
        let thread = Thread { [self] in
            var status: Int32 = 0
            var result: Int32
            repeat {
                result = waitpid(processIdentifier, &status, 0)
            } while result < 0 && errno == EINTR
            let code: Int32 =
                if result == processIdentifier {
                    (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                } else {
                    // Foundation reaped it first; its status lands a moment later.
                    Self.statusFromFoundation(self.process)
                }
            self.exitStatus.withLock { $0 = code }
            self.exited.signal()
        }
        thread.start()
    }

    private static func statusFromFoundation(_ process: Process) -> Int32 {
        while process.isRunning { usleep(1000) }
        return process.terminationStatus
    }

    /// True until the child has exited.
    public var isRunning: Bool { self.exitStatus.withLock { $0 == nil } }

    private func read(_ handle: FileHandle, into append: @escaping @Sendable (inout Captured, [UInt8]) -> Void) {
        self.readersDone.enter()
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                self.output.withLock { append(&$0, [UInt8](data)) }
            }
            self.readersDone.leave()
        }
        thread.start()
    }

    /// The process id.
    public var processIdentifier: Int32 { self.process.processIdentifier }

    /// Everything written to standard output so far.
    public var standardOutput: String { self.output.withLock { String(decoding: $0.standardOutput, as: UTF8.self) } }

    /// Everything written to standard error so far.
    public var standardError: String { self.output.withLock { String(decoding: $0.standardError, as: UTF8.self) } }

    /// Sends a signal.
    public func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits until standard error contains `text`; fails after `timeout` or if the process ends first.
    public func waitForStandardError(containing text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !self.standardError.contains(text) {
            guard self.isRunning else {
                throw ProcessFailure(description: "the process ended before logging '\(text)'; stderr: \(self.standardError)")
            }
            guard ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "no '\(text)' within \(timeout); stderr: \(self.standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the process to end and its output to be read; returns its exit status.
    public func waitForExit() async throws -> Int32 {
        try await onThread { [self] in
            self.exited.wait()
            self.exited.signal()
            self.readersDone.wait()
            return self.exitStatus.withLock { $0 } ?? -1
        }
    }

    /// Kills the process if it still runs (for cleanup; SIGKILL, since a wrapper such as
    /// systemd-socket-activate ignores SIGTERM while it waits for a first connection).
    public func terminate() {
        if self.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }
}

/// A child process did not do what the test waited for.
public struct ProcessFailure: Error, CustomStringConvertible {
    public var description: String
}
