import Foundation

/// Runs blocking work (socket calls, waiting on processes) on a thread of its own, so it never
/// blocks one of the few threads of Swift's concurrency pool that the server under test needs.
public func onThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try work() })
        }
        thread.start()
    }
}

/// The same for work that cannot fail: async tests call the synchronous core, which blocks its
/// thread on the upstream, many at once this way.
public func onThread<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    // `work` cannot throw, so neither can the thread that runs it.
    try! await onThread { () throws -> Value in work() }
}

/// A temporary directory for sockets and files, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates a fresh directory under /tmp (short, so unix socket paths fit).
    public init() throws {
        var template = Array("/tmp/data-action-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        self.path = String(cString: created)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { self.path + "/" + name }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
