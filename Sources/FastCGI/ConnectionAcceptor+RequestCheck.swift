#if canImport(Glibc)
import Glibc
#endif

extension ConnectionAcceptor {
    /// `POLLRDHUP` (Linux): the peer shut its side. Swift's Glibc module does not export it.
    static let peerHungUpEvent: Int16 = 0x2000

    /// Waits until the whole next request on `connection` is in the socket, and checks it with
    /// `check` before libfcgi reads any of it (see ``RequestStreamCheck``).
    ///
    /// nginx writes a request in one go, so the first look usually sees all of it. A request
    /// that arrives in parts is looked at again as the peer sends more, for up to the stall
    /// timeout; a peer that hangs up first, or a request larger than `buffer`, is refused.
    ///
    /// - Parameter buffer: where the unread bytes are copied to be looked at (`MSG_PEEK`:
    ///   they stay in the socket for libfcgi); at least ``RequestStreamCheck/maxRequestBytes``.
    func waitForWholeRequest(
        on connection: Int32,
        check: RequestStreamCheck,
        buffer: UnsafeMutableRawBufferPointer
    ) -> RequestStreamCheck.Verdict {
        let deadline = ContinuousClock.now + .seconds(Int(Self.stallTimeout.tv_sec))
        var pause: Int32 = 1
        var peerHungUp = false
        // The first look blocks until the web server has written (for up to the stall timeout
        // the socket carries): one system call where the request arrives just after the accept.
        var flags = Int32(MSG_PEEK)
        while true {
            let peeked = recv(connection, buffer.baseAddress, buffer.count, flags)
            flags = Int32(MSG_PEEK | MSG_DONTWAIT)
            let remaining = Int32(clamping: (deadline - ContinuousClock.now).components.seconds * 1000 + 1)
            if peeked == 0 {
                return .refused(reason: "the web server closed the connection before a whole request")
            }
            if peeked < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                    return .refused(reason: "reading the request failed: \(String(cString: strerror(errno)))")
                }
                // Nothing yet: wait for the first bytes.
                switch self.wait(for: connection, milliseconds: remaining) {
                case .readable: continue
                case .stopping: return .refused(reason: "stopping")
                case .timedOut: return .refused(reason: "no request within the stall timeout")
                }
            }
            let verdict = check.inspect(UnsafeRawBufferPointer(rebasing: buffer[..<peeked]))
            guard verdict == .incomplete else { return verdict }
            guard peeked < buffer.count else {
                return .refused(reason: "a request larger than any web server sends")
            }
            guard !peerHungUp else {
                return .refused(reason: "the web server closed the connection before a whole request")
            }
            // Part of it is here, so the socket stays readable: wait for a hang-up instead,
            // looking again after a pause that grows to 50 ms.
            switch self.wait(for: connection, events: Self.peerHungUpEvent, milliseconds: min(pause, remaining)) {
            case .readable: peerHungUp = true
            case .stopping: return .refused(reason: "stopping")
            case .timedOut:
                guard ContinuousClock.now < deadline else { return .refused(reason: "no whole request within the stall timeout") }
            }
            pause = min(pause * 2, 50)
        }
    }
}
