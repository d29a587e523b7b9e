import Logging

#if canImport(Glibc)
import Glibc
#endif

extension FastCGIServer {
    /// The overload guard's life: while every worker is busy, it accepts what arrives into the
    /// acceptor's waiting room, stamped with its arrival, and answers the policy's response
    /// (503 with `Retry-After`) to every connection that has waited `maxWait` there, so no
    /// caller waits longer for a worker than the policy allows. A worker that becomes free
    /// takes the oldest waiting connection first (and refuses it too if its time is up).
    ///
    /// It sleeps until the last free worker takes a request, so it costs nothing while any
    /// worker is free. It logs once when it starts refusing and once, with the count, when a
    /// worker is free again. At shutdown it stops accepting; the workers serve what is waiting,
    /// as they finish the calls in flight.
    func runOverloadGuard(_ policy: OverloadPolicy) {
        let slot = LibFastCGI.RequestSlot()
        defer { slot.close() }
        let allBusy = { self.load.everyWorkerBusy }
        while !self.acceptor.isStopping {
            self.everyWorkerBusy.wait()
            var refused = 0
            while allBusy() && !self.acceptor.isStopping {
                for connection in self.acceptor.takeExpired(maxWait: policy.maxWait) {
                    if refused == 0 {
                        self.logger.warning(
                            "every worker is busy: answering \(policy.response.status) to requests that wait longer than \(policy.maxWait)",
                            metadata: ["workers": "\(self.load.workers)"]
                        )
                    }
                    refused += 1
                    self.refuse(on: connection.descriptor, in: slot, with: policy.response)
                }
                // Wake for the oldest connection's deadline, and at least every 10 ms to look
                // whether a worker is free again.
                let now = ContinuousClock.now
                let deadline = min(self.acceptor.waitingRoom.oldestArrival.map { $0 + policy.maxWait } ?? now + .seconds(1), now + .milliseconds(10))
                self.acceptor.admitArrivals(until: deadline, stillNeeded: allBusy)
            }
            if refused > 0 {
                self.logger.info("a worker is free again", metadata: ["refused": "\(refused)"])
            }
        }
    }

    /// Reads the request (its body too, so closing cannot reset the connection before the
    /// web server reads the answer), writes `response`, and closes.
    func refuse(on connection: Int32, in slot: LibFastCGI.RequestSlot, with response: FastCGIResponse) {
        // Its request is read as it comes, so the socket carries the stall limits.
        guard ConnectionAcceptor.setStallLimits(on: connection) else {
            close(connection)
            return
        }
        guard slot.readRequest(on: connection) else { return }
        self.overloadRefusals.increment()
        let parameters = slot.parameters()
        // Best effort: a caller that hung up before its 503 needs nothing more.
        _ = RequestBodyReader(maxBytes: self.configuration.maxBodyBytes).read(declaredLength: parameters["CONTENT_LENGTH"], from: slot)
        _ = slot.write(response.cgiBytes)
        slot.finish(keepConnection: false)
    }
}
