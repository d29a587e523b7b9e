import NIOCore
import NIOPosix

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
