import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port with nothing listening on it, for "connection refused".
public enum ClosedPort {
    /// Binds a free port, closes it, and returns its number.
    public static func find() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
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
