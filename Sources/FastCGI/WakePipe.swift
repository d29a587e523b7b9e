#if canImport(Glibc)
import Glibc
#endif

/// A pipe used only to wake a waiting thread: one end to write a byte to, one to poll or read.
struct WakePipe {
    /// The end a waiting thread polls or reads.
    let readDescriptor: Int32
    /// The end a waker writes a byte to; non-blocking, so a waker never stalls.
    let writeDescriptor: Int32

    /// Creates the pipe with both ends close-on-exec.
    init() throws {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw ListeningSocketError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        guard fcntl(descriptors[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(descriptors[1], F_SETFD, FD_CLOEXEC) == 0,
            fcntl(descriptors[1], F_SETFL, O_NONBLOCK) == 0
        else {
            let reason = String(cString: strerror(errno))
            close(descriptors[0])
            close(descriptors[1])
            throw ListeningSocketError(description: "cannot set up a pipe: \(reason)")
        }
        self.readDescriptor = descriptors[0]
        self.writeDescriptor = descriptors[1]
    }

    /// Writes one byte; safe inside a signal handler. A full pipe (`EAGAIN`) already holds a
    /// wake-up, so nothing is lost; an interrupted write is tried again.
    static func wake(_ writeDescriptor: Int32, with value: UInt8 = 1) {
        var byte = value
        while write(writeDescriptor, &byte, 1) < 0 && errno == EINTR {}
    }
}
