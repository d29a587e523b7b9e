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
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        _ = fcntl(descriptors[1], F_SETFL, O_NONBLOCK)
        self.readDescriptor = descriptors[0]
        self.writeDescriptor = descriptors[1]
    }

    /// Writes one byte; safe inside a signal handler.
    static func wake(_ writeDescriptor: Int32, with value: UInt8 = 1) {
        var byte = value
        _ = write(writeDescriptor, &byte, 1)
    }
}
