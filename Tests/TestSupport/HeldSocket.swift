import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A listening unix socket the test holds, as systemd holds a socket unit's: services come and
/// go on it while connections wait in its queue.
public final class HeldSocket: Sendable {
    /// The listening descriptor.
    public let descriptor: Int32
    /// The socket's path.
    public let path: String

    public init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1))) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 1024) == 0, chmod(path, 0o666) == 0 else {
            throw ProcessFailure(description: "cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(self.descriptor)
    }
}
