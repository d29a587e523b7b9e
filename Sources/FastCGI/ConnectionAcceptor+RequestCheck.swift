#if canImport(Glibc)
import Glibc
#endif

/// What became of the next request on a connection before libfcgi reads it.
enum RequestArrival: Equatable {
    /// All of it is in the socket and well formed.
    case ready
    /// Not what a web server sends (something else is talking to the socket).
    case refused(reason: String)
    /// The peer went away or stalled before sending all of it, or the server is stopping.
    case abandoned(reason: String)
}

extension ConnectionAcceptor {
    /// `POLLRDHUP` (Linux): the peer shut its side. Swift's Glibc module does not export it.
    static let peerHungUpEvent: Int16 = 0x2000

    /// Waits until the whole next request on `connection` is in the socket, and checks it with
    /// `check` before libfcgi reads any of it (see ``RequestStreamCheck``).
    ///
    /// nginx writes a request in one go, so the first look usually sees all of it. A request
    /// that arrives in parts is looked at again as the peer sends more, for up to the stall
    /// timeout; a peer that hangs up or stalls first has abandoned it, and a request larger
    /// than `buffer` is refused.
    ///
    /// - Parameter buffer: where the unread bytes are copied to be looked at (`MSG_PEEK`:
    ///   they stay in the socket for libfcgi); at least ``RequestStreamCheck/maxRequestBytes``.
    func waitForWholeRequest(
        on connection: Int32,
        check: RequestStreamCheck,
        buffer: UnsafeMutableRawBufferPointer
    ) -> RequestArrival {
        // The stall timeout runs from the first wait: a request that is all there needs no clock.
        var deadline: ContinuousClock.Instant?
        func millisecondsLeft() -> Int32 {
            let end = deadline ?? ContinuousClock.now + .seconds(Int(Self.stallTimeout.tv_sec))
            deadline = end
            return Int32(clamping: (end - ContinuousClock.now).components.seconds * 1000 + 1)
        }
        var pause: Int32 = 1
        var peerHungUp = false
        // Never blocking: a connection may carry no stall limit of its own (a unix socket's),
        // so every wait is a `poll` with the time that is left.
        while true {
            let peeked = recv(connection, buffer.baseAddress, buffer.count, Int32(MSG_PEEK | MSG_DONTWAIT))
            if peeked == 0 {
                return .abandoned(reason: "the web server closed the connection before a whole request")
            }
            if peeked < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                    return .abandoned(reason: "reading the request failed: \(String(cString: strerror(errno)))")
                }
                // Nothing yet: wait for the first bytes. The connection was accepted, so it is
                // served also while the server stops (as when this wait was a blocking read).
                switch self.wait(for: connection, milliseconds: millisecondsLeft(), untilStopping: false) {
                case .readable: continue
                case .stopping: return .abandoned(reason: "stopping")
                case .timedOut: return .abandoned(reason: "no request within the stall timeout")
                }
            }
            switch check.inspect(UnsafeRawBufferPointer(rebasing: buffer[..<peeked])) {
            case .complete: return .ready
            case .refused(let reason): return .refused(reason: reason)
            case .incomplete: break
            }
            guard peeked < buffer.count else {
                return .refused(reason: "a request larger than any web server sends")
            }
            guard !peerHungUp else {
                return .abandoned(reason: "the web server closed the connection before a whole request")
            }
            // Part of it is here, so the socket stays readable: wait for a hang-up instead,
            // looking again after a pause that grows to 50 ms.
            switch self.wait(for: connection, events: Self.peerHungUpEvent, milliseconds: min(pause, millisecondsLeft())) {
            case .readable: peerHungUp = true
            case .stopping: return .abandoned(reason: "stopping")
            case .timedOut:
                if let deadline, ContinuousClock.now >= deadline {
                    return .abandoned(reason: "no whole request within the stall timeout")
                }
            }
            pause = min(pause * 2, 50)
        }
    }
}
