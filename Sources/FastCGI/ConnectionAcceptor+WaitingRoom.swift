#if canImport(Glibc)
import Glibc
#endif

extension ConnectionAcceptor {
    /// While every worker is busy, accepts what arrives into the waiting room, stamped with its
    /// arrival, until `deadline`, until a worker wants the turn, or until `stillNeeded` says no.
    /// Returns false at once when a worker holds the turn.
    func admitArrivals(until deadline: ContinuousClock.Instant, stillNeeded: () -> Bool) -> Bool {
        self.turn.withLockIfFree {
            // After stop, what waits is the workers' to serve; nothing new is taken in.
            guard !self.isStopping else { return }
            self.guardHoldsTurn.store(true, ordering: .relaxed)
            defer {
                self.guardHoldsTurn.store(false, ordering: .relaxed)
                _ = Self.drain(self.turnWanted.readDescriptor)
            }
            while stillNeeded() {
                let left = deadline - .now
                guard left > .zero else { return }
                let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
                guard
                    self.wait(for: self.listeningDescriptor, milliseconds: milliseconds, orWhenReadable: self.turnWanted.readDescriptor) == .readable
                else { return }
                while let connection = self.acceptOne() {
                    self.waitingRoom.add(connection)
                }
                // A worker asked for the turn: it is free, and takes the oldest waiting first.
                if Self.drain(self.turnWanted.readDescriptor) { return }
            }
        } != nil
    }

    /// Takes the connections that have waited `maxWait` or longer out of the waiting room;
    /// empty when a worker holds the turn.
    func takeExpired(maxWait: Duration) -> [Connection] {
        let now = ContinuousClock.now
        return self.turn.withLockIfFree { self.waitingRoom.takeAll { now - $0.arrival >= maxWait } } ?? []
    }

    /// When the oldest connection in the waiting room arrived; nil when it is empty or a worker
    /// holds the turn.
    var oldestArrival: ContinuousClock.Instant? {
        self.turn.withLockIfFree { self.waitingRoom.oldest?.arrival } ?? nil
    }

    /// Reads a non-blocking pipe empty; true when there was something in it.
    private static func drain(_ descriptor: Int32) -> Bool {
        var bytes = (UInt64(0), UInt64(0))
        var drained = false
        while withUnsafeMutableBytes(of: &bytes, { read(descriptor, $0.baseAddress, $0.count) }) > 0 {
            drained = true
        }
        return drained
    }
}

/// Connections accepted while every worker was busy, oldest first.
final class WaitingRoom: @unchecked Sendable {
    // Sendable: only touched while the acceptor's turn lock is held.
    private var connections: [ConnectionAcceptor.Connection] = []
    private var head = 0

    func add(_ connection: ConnectionAcceptor.Connection) {
        self.connections.append(connection)
    }

    var oldest: ConnectionAcceptor.Connection? {
        self.head < self.connections.count ? self.connections[self.head] : nil
    }

    func takeOldest() -> ConnectionAcceptor.Connection? {
        guard let oldest = self.oldest else { return nil }
        self.head += 1
        if self.head == self.connections.count {
            self.connections.removeAll(keepingCapacity: true)
            self.head = 0
        }
        return oldest
    }

    /// Takes connections from the oldest on while `expired` holds for them.
    func takeAll(while expired: (ConnectionAcceptor.Connection) -> Bool) -> [ConnectionAcceptor.Connection] {
        var taken: [ConnectionAcceptor.Connection] = []
        while let oldest = self.oldest, expired(oldest) {
            taken.append(self.takeOldest()!)
        }
        return taken
    }
}
