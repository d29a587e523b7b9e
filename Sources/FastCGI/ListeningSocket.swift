#if canImport(Glibc)
import Glibc
#endif

/// A listening socket the server accepts FastCGI connections on, and where it came from.
public struct ListeningSocket: Sendable {
    /// The listening file descriptor.
    public let fileDescriptor: Int32
    /// Where the socket came from; decides what happens to it at shutdown.
    public let origin: Origin

    /// Where a listening socket came from.
    public enum Origin: Sendable, Equatable {
        /// Passed by systemd socket activation (`LISTEN_FDS`); systemd keeps it across restarts.
        case systemd
        /// Inherited on file descriptor 0 (spawn-fcgi, systemd `StandardInput=socket`).
        case inheritedStandardInput
        /// A unix socket this process created at a path; removed again at shutdown.
        case unixSocket(path: String)
        /// A TCP socket this process opened.
        case tcp(address: String)
    }

    /// Wraps an already listening descriptor.
    public init(fileDescriptor: Int32, origin: Origin) {
        self.fileDescriptor = fileDescriptor
        self.origin = origin
    }

    /// A description for logs: where the server listens.
    public var description: String {
        switch self.origin {
        case .systemd: "systemd socket (fd \(self.fileDescriptor))"
        case .inheritedStandardInput: "inherited socket on fd 0"
        case .unixSocket(let path): "unix:\(path)"
        case .tcp(let address): "tcp:\(address)"
        }
    }
}

/// Why a listening socket could not be opened.
public struct ListeningSocketError: Error, CustomStringConvertible {
    /// One line that says what failed and what to do.
    public let description: String
}

extension ListeningSocket {
    /// Opens a unix socket at `path` (replacing a stale one) and sets its permission bits.
    ///
    /// - Parameter mode: permission bits for the socket file; the web server's user needs
    ///   write permission on it to connect.
    public static func unixSocket(path: String, mode: UInt32, backlog: Int32 = 1024) throws -> ListeningSocket {
        // libfcgi reads "host:port" wherever it sees a colon.
        guard !path.contains(":") else {
            throw ListeningSocketError(description: "socket path \(path) must not contain ':'")
        }
        guard path.utf8.count < 108 else {
            throw ListeningSocketError(description: "socket path \(path) is longer than a unix socket path may be (107 bytes)")
        }
        let descriptor = LibFastCGI.openSocket(path, backlog: backlog)
        guard descriptor >= 0 else {
            throw ListeningSocketError(description: "cannot listen on unix socket \(path): \(String(cString: strerror(errno)))")
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw ListeningSocketError(description: "cannot set mode of \(path): \(reason)")
        }
        return ListeningSocket(fileDescriptor: descriptor, origin: .unixSocket(path: path))
    }

    /// Opens a TCP socket on `host:port`. libfcgi speaks IPv4 only.
    public static func tcp(host: String, port: Int, backlog: Int32 = 1024) throws -> ListeningSocket {
        let address = "\(host):\(port)"
        let descriptor = LibFastCGI.openSocket(address, backlog: backlog)
        guard descriptor >= 0 else {
            throw ListeningSocketError(description: "cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        return ListeningSocket(fileDescriptor: descriptor, origin: .tcp(address: address))
    }

    /// The socket systemd passed by socket activation, if it passed one to this process.
    ///
    /// Follows `sd_listen_fds(3)`: `LISTEN_PID` must be this process, the first socket is fd 3,
    /// and the variables are removed so that child processes do not take them for their own.
    public static func fromSystemd() -> ListeningSocket? {
        guard let pid = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pid) == getpid(),
            let count = getenv("LISTEN_FDS").map({ String(cString: $0) }).flatMap({ Int($0) }), count >= 1
        else { return nil }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let descriptor: Int32 = 3
        // A descriptor fcntl refuses is not an open socket, whatever LISTEN_FDS says.
        guard fcntl(descriptor, F_SETFD, FD_CLOEXEC) == 0 else { return nil }
        return ListeningSocket(fileDescriptor: descriptor, origin: .systemd)
    }

    /// The listening socket on fd 0, if standard input is one (spawn-fcgi, `StandardInput=socket`).
    public static func fromStandardInput() -> ListeningSocket? {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else {
            return nil
        }
        return ListeningSocket(fileDescriptor: 0, origin: .inheritedStandardInput)
    }

    /// Releases the socket at shutdown.
    ///
    /// Sockets handed over by systemd or a spawner are left open and untouched: the parent
    /// holds them across restarts, so connections queued there wait for the next process.
    /// A unix socket this process created is closed and its path removed.
    public func release() {
        switch self.origin {
        case .systemd, .inheritedStandardInput:
            return
        case .unixSocket(let path):
            Glibc.close(self.fileDescriptor)
            unlink(path)
        case .tcp:
            Glibc.close(self.fileDescriptor)
        }
    }
}
