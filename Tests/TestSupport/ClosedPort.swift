import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port with nothing listening on it, for "connection refused" and for a server a
/// test starts.
public enum ClosedPort {
    /// Every port handed out in this process: two suites running at once must never start their
    /// servers on the same one (a TLS test's nginx lost its port that way).
    private static let handedOut = Mutex<Set<Int>>([])
    /// The next port to try. Ports come from below the kernel's ephemeral range (32768–60999),
    /// where no outgoing connection's local end and no `bind` to port 0 lands, so a port found
    /// free stays free until the test binds it: one taken from `bind(0)` was once used in between
    /// by another connection (nginx: "Address already in use"). The scripts' `free_port`
    /// (deploy/demo/scratch.sh) takes 10000–19999, for the soak that runs beside the tests.
    private static let next = Mutex(Int.random(in: 20_000..<30_000))

    /// A port nothing listens on and that was not handed out before in this process.
    public static func find() async throws -> Int {
        for _ in 0..<12_000 {
            let port = Self.next.withLock { next -> Int in
                defer { next = next + 1 < 32_000 ? next + 1 : 20_000 }
                return next
            }
            if Self.isFree(port), Self.handedOut.withLock({ $0.insert(port).inserted }) {
                return port
            }
        }
        throw ProcessFailure(description: "no free loopback port from 20000 to 31999")
    }

    /// True when a socket can bind 127.0.0.1:`port` now.
    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = HTTPTestClient.address("127.0.0.1", port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

extension ClosedPort {
    /// Waits until something accepts TCP connections on 127.0.0.1:`port`; fails when `process`
    /// exits first or after 30 seconds.
    public static func waitUntilAccepting(port: Int, process: ServiceProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !Self.accepts(port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "nothing listens on port \(port): \(process.standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = HTTPTestClient.address("127.0.0.1", port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
