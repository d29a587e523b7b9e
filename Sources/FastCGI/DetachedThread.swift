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
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        var thread = pthread_t()
        let status = pthread_create(
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
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
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
