import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension ConnectionAcceptor {
    /// While every worker is busy, accepts what arrives into the waiting room, stamped with its
    /// arrival, until `deadline`, until stopping, or until `stillNeeded` says no.
    func admitArrivals(until deadline: ContinuousClock.Instant, stillNeeded: () -> Bool) {
        // After stop, what waits is the workers' to serve; nothing new is taken in.
        while stillNeeded() && !self.isStopping {
            let left = deadline - .now
            guard left > .zero else { return }
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard self.wait(for: self.listeningDescriptor, milliseconds: milliseconds) == .readable else { return }
            while let connection = self.acceptOne() {
                self.admit(connection)
            }
        }
    }

    /// Takes the connections that have waited `maxWait` or longer out of the waiting room.
    func takeExpired(maxWait: Duration) -> [Connection] {
        let now = ContinuousClock.now
        return self.waitingRoom.takeAll { now - $0.arrival >= maxWait }
    }
}

/// Connections accepted while every worker was busy, oldest first; safe from any thread.
final class WaitingRoom: @unchecked Sendable {
    // Sendable: `connections` and `head` are only touched under `lock`.
    private let lock = PlainLock()
    private var connections: [ConnectionAcceptor.Connection] = []
    private var head = 0
    /// How many wait, read without the lock: a worker looks here before every accept.
    private let count = Atomic<Int>(0)

    func add(_ connection: ConnectionAcceptor.Connection) {
        self.lock.withLock {
            self.connections.append(connection)
            self.count.add(1, ordering: .releasing)
        }
    }

    /// When the oldest waiting connection arrived; nil when none waits.
    var oldestArrival: ContinuousClock.Instant? {
        self.lock.withLock { self.oldest?.arrival }
    }

    /// The oldest waiting connection, taken out of the room; nil when none waits.
    func takeOldest() -> ConnectionAcceptor.Connection? {
        guard self.count.load(ordering: .acquiring) > 0 else { return nil }
        return self.lock.withLock { self.removeOldest() }
    }

    /// Takes connections from the oldest on while `expired` holds for them.
    func takeAll(while expired: (ConnectionAcceptor.Connection) -> Bool) -> [ConnectionAcceptor.Connection] {
        self.lock.withLock {
            var taken: [ConnectionAcceptor.Connection] = []
            while let oldest = self.oldest, expired(oldest) {
                taken.append(oldest)
                _ = self.removeOldest()
            }
            return taken
        }
    }

    private var oldest: ConnectionAcceptor.Connection? {
        self.head < self.connections.count ? self.connections[self.head] : nil
    }

    private func removeOldest() -> ConnectionAcceptor.Connection? {
        guard let oldest = self.oldest else { return nil }
        self.head += 1
        self.count.subtract(1, ordering: .releasing)
        if self.head == self.connections.count {
            self.connections.removeAll(keepingCapacity: true)
            self.head = 0
        }
        return oldest
    }
}
