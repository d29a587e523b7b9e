import Logging

extension FastCGIServer {
    /// One worker's life: take a connection, serve its requests, repeat until shutdown.
    func runWorker() {
        let slot = LibFastCGI.RequestSlot()
        defer { slot.close() }
        while true {
            let newConnection: Int32?
            if let kept = slot.connection {
                guard self.acceptor.waitForNextRequest(on: kept) else { return }
                newConnection = nil
            } else {
                guard let accepted = self.acceptor.nextConnection() else { return }
                newConnection = accepted
            }
            guard slot.readRequest(on: newConnection) else { continue }
            self.serveCurrentRequest(in: slot)
        }
    }

    /// Reads the body of the request in `slot`, asks the responder, writes the answer.
    private func serveCurrentRequest(in slot: LibFastCGI.RequestSlot) {
        let busy = self.requestsInFlight.add(1, ordering: .relaxed).newValue
        defer { self.requestsInFlight.subtract(1, ordering: .relaxed) }
        if busy == self.configuration.workers && self.configuration.overload != nil {
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
        let response: FastCGIResponse
        switch self.responder.answer(to: request) {
        case .now(let ready): response = ready
        case .later(let work): response = BlockingBridge.run(work)
        case .blocking(let work): response = work()
        }
        if !slot.write(response.cgiBytes) {
            self.logger.debug("the web server closed the connection before the response was written")
        }
        slot.finish(keepConnection: body != .tooLarge)
    }
}
