import Logging

#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// One worker's life: take a connection, serve its requests, repeat until shutdown.
    func runWorker(responder: some FastCGIResponder) {
        let slot = LibFastCGI.RequestSlot()
        defer { slot.close() }
        let check = RequestStreamCheck(maxBodyBytes: self.configuration.maxBodyBytes)
        // Allocated, not filled: only the pages a request's bytes land on become resident.
        let checkBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: check.maxRequestBytes, alignment: 8)
        defer { checkBuffer.deallocate() }
        // The answer's head, made anew in the same storage for every request.
        var head: [UInt8] = []
        head.reserveCapacity(512)
        while true {
            let connection: Int32
            let newConnection: Int32?
            if let kept = slot.connection {
                guard self.acceptor.waitForNextRequest(on: kept) else { return }
                connection = kept
                newConnection = nil
            } else {
                guard let accepted = self.acceptor.nextConnection() else { return }
                if let overload = self.configuration.overload, ContinuousClock.now - accepted.arrival >= overload.maxWait {
                    // Its time in the waiting room is up: the caller is told at once.
                    self.refuse(on: accepted.descriptor, in: slot, with: overload.response)
                    continue
                }
                connection = accepted.descriptor
                newConnection = accepted.descriptor
            }
            let arrival = self.acceptor.waitForWholeRequest(on: connection, check: check, buffer: checkBuffer)
            guard arrival == .ready else {
                self.logUnread(arrival)
                if newConnection == nil { slot.close() } else { close(connection) }
                continue
            }
            guard slot.readRequest(on: newConnection) else { continue }
            self.serveCurrentRequest(in: slot, responder: responder, head: &head)
        }
    }

    /// A connection closed unanswered: at warning when it sent what no web server sends
    /// (something else is talking to the socket), at debug when the peer went away or stalled.
    private func logUnread(_ arrival: RequestArrival) {
        let message: Logger.Message = "closed a FastCGI connection without reading its request"
        switch arrival {
        case .ready: break
        case .refused(let reason):
            self.streamCheckRefusals.increment()
            self.logger.warning(message, metadata: ["reason": "\(reason)"])
        case .abandoned(let reason):
            self.streamCheckAbandons.increment()
            self.logger.debug(message, metadata: ["reason": "\(reason)"])
        }
    }

    /// Reads the body of the request in `slot`, asks the responder, writes the answer: its head
    /// made in `head`, then its body as the responder gave it (libfcgi copies both into its
    /// buffer, so the two make one write).
    private func serveCurrentRequest(in slot: LibFastCGI.RequestSlot, responder: some FastCGIResponder, head: inout [UInt8]) {
        let busy = self.load.began()
        defer { self.load.ended() }
        if busy == self.load.workers && self.configuration.overload != nil {
            self.everyWorkerBusy.signal()
        }

        let parameters = slot.parameters()
        let body = RequestBodyReader(maxBytes: self.configuration.maxBodyBytes).read(
            declaredLength: parameters["CONTENT_LENGTH"],
            from: slot
        )
        guard let body else {
            self.logger.debug("the web server closed the connection before sending the whole body")
            slot.finish(keepConnection: false)
            return
        }
        let request = FastCGIRequest(parameters: parameters, body: body)
        let response = responder.respond(to: request)
        head.removeAll(keepingCapacity: true)
        response.appendCGIHead(to: &head)
        let answersBody = FastCGIResponse.carriesBody(answering: request.method)
        let length = head.count + (answersBody ? response.body.count : 0)
        guard let connection = slot.connection, self.acceptor.guardWrite(of: length, on: connection) else {
            self.logger.debug("the connection could not take a write limit; the response was not written")
            slot.finish(keepConnection: false)
            return
        }
        if !slot.write(head) || (answersBody && !slot.write(response.body)) {
            self.logger.debug("the web server closed the connection or stopped reading before the response was written")
            slot.abandonConnection()
            slot.finish(keepConnection: false)
            return
        }
        slot.finish(keepConnection: body != .tooLarge)
    }
}
