import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port with nothing listening on it, for "connection refused".
public enum ClosedPort {
    /// Every port handed out in this process: once closed, the kernel may offer a port again,
    /// and two suites running at once would then start their servers on the same one (a TLS
    /// test's nginx lost its port that way, and the test met another suite's listener).
    private static let handedOut = Mutex<Set<Int>>([])

    /// Binds a free port, closes it, and returns its number; never one it returned before.
    public static func find() async throws -> Int {
        while true {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0)
                .get()
            let port = channel.localAddress!.port!
            try await channel.close()
            if Self.handedOut.withLock({ $0.insert(port).inserted }) {
                return port
            }
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
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
