import CFastCGI
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections for the workers, keeps those that arrive while every worker is busy in a
/// waiting room with their arrival times, and wakes every waiting thread at shutdown.
///
/// Idle workers wait in two places. At most two (the listeners) sleep on the listening socket in
/// one epoll instance, which wakes one sleeper per arrival, the last to fall asleep first: at
/// low load one worker serves call after call with its memory still in cache, and no worker
/// wakes another to take a turn (bench/ANALYSIS.md, "One connection"). The others wait in the
/// reserve, one of them woken whenever nobody listens any more, so under load few threads are
/// woken per call; a worker that finishes a call accepts what is pending before it waits. The
/// instance watches the listening socket one-shot (the listener it wakes accepts, then watches
/// again, so what arrived meanwhile wakes the other), the wake pipe, written to at shutdown
/// (it wakes every waiting worker, also on an idle kept connection, without a signal and
/// without touching the listening socket, which systemd may hold for the next run), and the
/// room's eventfd, written once per connection put in the waiting room.
final class ConnectionAcceptor: Sendable {
    let listeningDescriptor: Int32
    private let wakeReadDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    /// Written once per connection put in the waiting room, so a listener takes it.
    private let roomSignal: Int32
    /// The epoll instance the listeners sleep in.
    private let poller: Int32
    /// How many idle workers may sleep on the listening socket at once: two, so that at one
    /// call at a time the worker that takes it leaves the other listening, and nobody is woken
    /// to take its place.
    static let listenersAtMost = 2
    /// How many idle workers sleep on the listening socket (or are about to).
    private let listeners = Atomic<Int>(0)
    /// Where idle workers beyond the listeners wait: signalled when nobody listens any more.
    private let reserve = DispatchSemaphore(value: 0)
    /// How many workers wait in `reserve` (or are about to): counted before a worker looks at
    /// `listeners`, and read after a listener leaves, so one of the two always sees the other.
    private let reserveWaiting = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Connections accepted while every worker was busy, oldest first.
    let waitingRoom = WaitingRoom()

    /// Whether the listening socket is TCP (not a unix socket): only TCP connections take
    /// TCP_NODELAY, so a unix socket's connections skip the call that would fail.
    let isTCP: Bool

    /// How many bytes of an answer a connection takes without setting its write limit first: on
    /// a unix socket, what fits in the send buffer (the write cannot block); on TCP, any answer
    /// (its connections got their limits when accepted).
    let unguardedWriteBytes: Int

    init(listening: ListeningSocket) throws {
        self.listeningDescriptor = listening.fileDescriptor
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening.fileDescriptor, $0, &length) }
        }
        // A socket getsockname cannot name is treated as TCP: the option is then tried, and
        // its refusal on anything else is ignored, as before.
        self.isTCP = named != 0 || Int32(address.ss_family) == AF_INET || Int32(address.ss_family) == AF_INET6
        // A unix socket's connection starts with the listener's send buffer (the system's
        // default); a quarter of it is written without a stall limit (see `guardWrite`).
        var sendBuffer: Int32 = 0
        var sendBufferLength = socklen_t(MemoryLayout<Int32>.size)
        let sized = getsockopt(listening.fileDescriptor, SOL_SOCKET, SO_SNDBUF, &sendBuffer, &sendBufferLength) == 0
        self.unguardedWriteBytes = self.isTCP ? Int.max : sized ? Int(sendBuffer) / 4 : 0
        // Non-blocking, so a worker that loses the race for a connection gets EAGAIN instead of
        // sleeping in accept where shutdown cannot reach it.
        let flags = fcntl(listening.fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(listening.fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw ListeningSocketError(description: "\(listening.description) is not usable: \(String(cString: strerror(errno)))")
        }
        let wakePipe = try WakePipe()
        self.wakeReadDescriptor = wakePipe.readDescriptor
        self.wakeWriteDescriptor = wakePipe.writeDescriptor
        let roomSignal = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        let poller = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard
            roomSignal >= 0, poller >= 0,
            data_action_epoll_watch_once(poller, listening.fileDescriptor, 0) == 0,
            data_action_epoll_watch(poller, roomSignal) == 0,
            data_action_epoll_watch(poller, wakePipe.readDescriptor) == 0
        else {
            let reason = String(cString: strerror(errno))
            for descriptor in [roomSignal, poller, wakePipe.readDescriptor, wakePipe.writeDescriptor] where descriptor >= 0 {
                Glibc.close(descriptor)
            }
            throw ListeningSocketError(description: "cannot set up the workers' wait on \(listening.description): \(reason)")
        }
        self.roomSignal = roomSignal
        self.poller = poller
    }

    deinit {
        Glibc.close(self.wakeReadDescriptor)
        Glibc.close(self.wakeWriteDescriptor)
        Glibc.close(self.roomSignal)
        Glibc.close(self.poller)
    }

    /// True once ``stop()`` was called.
    var isStopping: Bool { self.stopping.load(ordering: .acquiring) }

    /// Stops handing out connections and wakes every waiting worker.
    func stop() {
        guard !self.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        WakePipe.wake(self.wakeWriteDescriptor)
        self.reserve.signal()
    }

    /// An accepted connection and when it arrived.
    struct Connection {
        let descriptor: Int32
        let arrival: ContinuousClock.Instant
    }

    /// The next connection: the oldest in the waiting room (also while stopping: it was
    /// accepted, so it is served), or else the next to arrive; nil once the server is stopping
    /// and nothing waits.
    func nextConnection() -> Connection? {
        // A worker woken from the reserve is there to listen: it does not accept first.
        var toListen = false
        while true {
            if let waiting = self.waitingRoom.takeOldest() {
                if toListen { self.keepSomeoneListening() }
                return waiting
            }
            if self.isStopping { return nil }
            // Under load a connection is usually pending: accept first, sleep only when none is.
            if !toListen, let connection = self.acceptOne() {
                return connection
            }
            self.reserveWaiting.add(1, ordering: .sequentiallyConsistent)
            guard self.becomeListener() else {
                self.reserve.wait()
                self.reserveWaiting.subtract(1, ordering: .sequentiallyConsistent)
                // At shutdown every waiting worker is woken, one after the other.
                if self.isStopping { self.reserve.signal() }
                toListen = true
                continue
            }
            self.reserveWaiting.subtract(1, ordering: .sequentiallyConsistent)
            toListen = false
            let ready = data_action_epoll_wait_one(self.poller)
            var accepted: Connection? = nil
            if ready == self.listeningDescriptor {
                accepted = self.acceptOne()
                // Watched again only now: what arrived meanwhile wakes the other listener.
                _ = data_action_epoll_watch_once(self.poller, self.listeningDescriptor, 1)
            } else if ready == self.roomSignal {
                // Reset it (level-triggered); the room is looked at next.
                var count: UInt64 = 0
                _ = read(self.roomSignal, &count, MemoryLayout<UInt64>.size)
            } else if ready < 0 && errno != EINTR {
                // The instance is unusable (it cannot be, short of a bug): back off rather than spin.
                usleep(10_000)
            }
            self.listeners.subtract(1, ordering: .sequentiallyConsistent)
            self.keepSomeoneListening()
            if let accepted { return accepted }
        }
    }

    /// Wakes a worker from the reserve to listen when nobody listens any more, so that while
    /// any worker is idle, one sleeps on the listening socket.
    private func keepSomeoneListening() {
        if self.listeners.load(ordering: .sequentiallyConsistent) == 0 && self.reserveWaiting.load(ordering: .sequentiallyConsistent) > 0 {
            self.reserve.signal()
        }
    }

    /// Counts the caller among the listeners if there are fewer than ``listenersAtMost``.
    private func becomeListener() -> Bool {
        var count = self.listeners.load(ordering: .sequentiallyConsistent)
        while count < Self.listenersAtMost {
            let (exchanged, original) = self.listeners.compareExchange(
                expected: count,
                desired: count + 1,
                ordering: .sequentiallyConsistent
            )
            if exchanged { return true }
            count = original
        }
        return false
    }

    /// Puts `connection` in the waiting room and wakes a listener to take it.
    func admit(_ connection: Connection) {
        self.waitingRoom.add(connection)
        var one: UInt64 = 1
        _ = write(self.roomSignal, &one, MemoryLayout<UInt64>.size)
    }

    /// Accepts one pending connection; nil when there was none (or it went away).
    func acceptOne() -> Connection? {
        let connection = accept4(self.listeningDescriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
        if connection >= 0 {
            guard Self.configure(connection: connection, isTCP: self.isTCP) else {
                // Without its stall limit a silent peer could hold a worker for ever.
                close(connection)
                return nil
            }
            return Connection(descriptor: connection, arrival: .now)
        }
        switch errno {
        case EAGAIN, EINTR, ECONNABORTED, EPROTO:
            break
        default:
            // Out of descriptors or memory: back off briefly rather than spin.
            usleep(10_000)
        }
        return nil
    }

    /// What a wait on a descriptor ended with.
    enum Readiness {
        /// The descriptor is readable (a connection is pending, a request has arrived).
        case readable
        /// The time given passed first.
        case timedOut
        /// The server is stopping.
        case stopping
    }

    /// How long one read or write on a connection may stall before the connection is dropped,
    /// so a peer that stops mid-request cannot hold a worker for ever. Idle kept connections
    /// wait in `poll`, which this does not limit.
    static let stallTimeout = timeval(tv_sec: 30, tv_usec: 0)

    /// Sets a new connection's options; false when one that matters could not be set.
    ///
    /// A TCP connection gets TCP_NODELAY (a refusal is ignored) and its stall limits at once.
    /// A unix socket's connection needs none here: libfcgi reads only a request that is
    /// wholly in the socket (``waitForWholeRequest(on:check:buffer:)`` waits for it in `poll`
    /// with the limit), and an answer gets the write limit before it is written when it could
    /// fill the send buffer (``guardWrite(of:on:)``).
    private static func configure(connection: Int32, isTCP: Bool) -> Bool {
        guard isTCP else { return true }
        var noDelay: Int32 = 1
        if setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            guard errno == EOPNOTSUPP || errno == ENOPROTOOPT else { return false }
        }
        return Self.setStallLimits(on: connection)
    }

    /// Limits every read and write on `connection` to the stall timeout; false when it could
    /// not. For a connection whose request is read without waiting for all of it first.
    static func setStallLimits(on connection: Int32) -> Bool {
        Self.setStallTimeout(SO_RCVTIMEO, on: connection) && Self.setStallTimeout(SO_SNDTIMEO, on: connection)
    }

    private static func setStallTimeout(_ option: Int32, on connection: Int32) -> Bool {
        var timeout = Self.stallTimeout
        return setsockopt(connection, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
    }

    /// Makes sure writing `byteCount` bytes on `connection` cannot block for longer than the
    /// stall timeout; false when the limit could not be set (the answer is then not written).
    func guardWrite(of byteCount: Int, on connection: Int32) -> Bool {
        byteCount <= self.unguardedWriteBytes || Self.setStallTimeout(SO_SNDTIMEO, on: connection)
    }

    /// Waits until a kept connection has the next request (or closed); false when stopping.
    func waitForNextRequest(on connection: Int32) -> Bool {
        !self.isStopping && self.wait(for: connection) == .readable
    }

    /// Waits until `descriptor` has one of `events` (readable by default), the wake pipe is
    /// readable (stopping; not watched when `untilStopping` is false), or `milliseconds` pass
    /// (-1: no limit). An interrupted wait is resumed.
    func wait(
        for descriptor: Int32,
        events: Int16 = Int16(POLLIN),
        milliseconds: Int32 = -1,
        untilStopping: Bool = true
    ) -> Readiness {
        // poll skips a negative descriptor: the wake pipe is watched only when asked.
        var descriptors = (
            pollfd(fd: descriptor, events: events, revents: 0),
            pollfd(fd: untilStopping ? self.wakeReadDescriptor : -1, events: Int16(POLLIN), revents: 0)
        )
        while true {
            let ready = withUnsafeMutableBytes(of: &descriptors) { poll($0.baseAddress!.assumingMemoryBound(to: pollfd.self), 2, milliseconds) }
            if ready < 0 && errno == EINTR { continue }
            if descriptors.1.revents != 0 || ready < 0 { return .stopping }
            return ready > 0 ? .readable : .timedOut
        }
    }
}

/// A plain (non-spinning, non-priority-inheriting) pthread mutex.
final class PlainLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    // A default mutex fails only when it is misused (EINVAL, EPERM) or cannot be made at
    // start (ENOMEM): each result is checked, and a failure stops the process.
    init() {
        let status = pthread_mutex_init(self.mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with \(status)")
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deallocate()
    }

    func withLock<Result>(_ body: () -> Result) -> Result {
        var status = pthread_mutex_lock(self.mutex)
        precondition(status == 0, "pthread_mutex_lock failed with \(status)")
        defer {
            status = pthread_mutex_unlock(self.mutex)
            precondition(status == 0, "pthread_mutex_unlock failed with \(status)")
        }
        return body()
    }
}
