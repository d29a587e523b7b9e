/// A wait that cannot hang: checks `condition` until it holds, and fails after `timeout` with
/// what it waited for and what `saw` says it saw last.
public func waitUntil(
    _ description: String,
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool,
    saw: () -> String = { "" }
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            throw WaitFailure(description: "waited \(timeout) for \(description); saw: \(saw())")
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A wait whose deadline passed.
public struct WaitFailure: Error, CustomStringConvertible {
    public var description: String
}
