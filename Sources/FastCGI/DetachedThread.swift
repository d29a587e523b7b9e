#if canImport(Glibc)
import Glibc
#endif

/// Starts an OS thread that runs a closure, with pthreads directly: Foundation's `Thread` would
/// bring all of Foundation, and with it ICU's tens of MiB, into the binary.
public enum DetachedThread {
    /// Starts `body` on a new detached thread named `name` (its first 15 bytes) with a
    /// stack of `stackSize` bytes.
    public static func start(name: String, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        // Threads are started at startup; a result other than 0 stops it with the reason.
        var status = pthread_attr_init(&attributes)
        precondition(status == 0, "pthread_attr_init failed with \(status)")
        defer { pthread_attr_destroy(&attributes) }
        status = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        precondition(status == 0, "pthread_attr_setdetachstate failed with \(status)")
        status = pthread_attr_setstacksize(&attributes, stackSize)
        precondition(status == 0, "pthread_attr_setstacksize(\(stackSize)) failed with \(status)")
        var thread = pthread_t()
        status = pthread_create(
            &thread,
            &attributes,
            { raw in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
                DetachedThread.nameThisThread(context.name)
                context.body()
                return nil
            },
            context
        )
        precondition(status == 0, "pthread_create failed with \(status)")
    }

    /// Names the calling thread as `top -H` and the journal's stack traces show it.
    /// (`pthread_setname_np` is not in Swift's view of Glibc; /proc says the same to the kernel.)
    private static func nameThisThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        // A thread the kernel would not name runs the same, under its process's name.
        if written != bytes.count { return }
    }

    private final class Context: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
