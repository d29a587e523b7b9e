import Logging

#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// The overload guard's life: while every worker is busy and connections wait in the
    /// listen queue for longer than the policy allows, accept them one by one and answer the
    /// policy's response (503 with `Retry-After`), so a caller is told at once instead of
    /// waiting out its own timeout for a worker.
    ///
    /// It sleeps until the last free worker takes a request, then watches the listening
    /// socket while every worker stays busy. It only accepts when no worker holds the accept
    /// turn (a worker that became free always wins) and all are still busy; the wait is
    /// measured from when it first saw a connection pending. It logs once when it starts
    /// refusing and once, with the count, when a worker is free again.
    func runOverloadGuard(_ policy: OverloadPolicy, workers: Int) {
        let slot = LibFastCGI.RequestSlot()
        defer { slot.close() }
        let allBusy = { self.requestsInFlight.load(ordering: .relaxed) >= workers }
        while !self.acceptor.isStopping {
            // Asleep while any worker is free: no wake-ups on the request path.
            self.everyWorkerBusy.wait()
            var busySince: ContinuousClock.Instant?
            var refused = 0
            overloaded: while allBusy() {
                switch self.acceptor.waitForPendingConnection(milliseconds: 10) {
                case .stopping:
                    return
                case .timedOut:
                    busySince = nil
                    continue
                case .readable:
                    break
                }
                let now = ContinuousClock.now
                let since = busySince ?? now
                busySince = since
                guard now - since >= policy.maxWait else {
                    usleep(5_000)
                    continue
                }
                guard let connection = self.acceptor.acceptUnlessTaken(stillNeeded: allBusy) else {
                    break overloaded
                }
                if refused == 0 {
                    self.logger.warning(
                        "every worker is busy: answering new requests \(policy.response.status) until one is free",
                        metadata: ["workers": "\(workers)", "maxWait": "\(policy.maxWait)"]
                    )
                }
                refused += 1
                self.refuse(on: connection, in: slot, with: policy.response)
            }
            if refused > 0 {
                self.logger.info("a worker is free again", metadata: ["refused": "\(refused)"])
            }
        }
    }

    /// Reads the request (its body too, so closing cannot reset the connection before the
    /// web server reads the answer), writes `response`, and closes.
    private func refuse(on connection: Int32, in slot: LibFastCGI.RequestSlot, with response: FastCGIResponse) {
        guard slot.readRequest(on: connection) else { return }
        let parameters = slot.parameters()
        _ = RequestBodyReader(maxBytes: self.configuration.maxBodyBytes).read(declaredLength: parameters["CONTENT_LENGTH"], from: slot)
        _ = slot.write(response.cgiBytes)
        slot.finish(keepConnection: false)
    }
}
