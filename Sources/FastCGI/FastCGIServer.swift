import CoreMetrics
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// A FastCGI server on libfcgi: a pool of worker threads that accept connections on one
/// listening socket and pass each request to a ``FastCGIResponder``. It records its metrics
/// (``FastCGIMetrics``) through swift-metrics.
///
/// Each worker is an OS thread that blocks in libfcgi's reads and writes and in the responder,
/// which may block it while it waits for an upstream. With an ``OverloadPolicy``, one more
/// thread answers the connections no worker takes in time. With nginx `fastcgi_keep_conn on`,
/// a kept connection pins its worker between requests.
public final class FastCGIServer: Sendable {
    /// How the server runs.
    public struct Configuration: Sendable {
        /// How many worker threads serve requests at once (the `WORKERS` setting).
        public var workers: Int
        /// The largest request body kept in memory; a longer one is reported as
        /// ``FastCGIRequest/Body/tooLarge``.
        public var maxBodyBytes: Int

        /// What to do with a request no worker takes in time; nil lets it wait in the
        /// listen queue for as long as the web server does.
        public var overload: OverloadPolicy?

        /// Creates a configuration.
        public init(workers: Int, maxBodyBytes: Int, overload: OverloadPolicy? = nil) {
            self.workers = workers
            self.maxBodyBytes = maxBodyBytes
            self.overload = overload
        }
    }

    /// When every worker is busy: how long a new request may wait for one, and what it is
    /// answered after that (503 with `Retry-After`), so callers are told at once instead of
    /// waiting out their own timeout.
    public struct OverloadPolicy: Sendable {
        /// How long a request may wait for a free worker.
        public var maxWait: Duration
        /// The answer after that.
        public var response: FastCGIResponse

        /// Creates a policy.
        public init(maxWait: Duration, response: FastCGIResponse) {
            self.maxWait = maxWait
            self.response = response
        }
    }

    let configuration: Configuration
    let logger: Logger
    let listeningSocket: ListeningSocket
    let acceptor: ConnectionAcceptor
    private let runningWorkers = Mutex(0)
    private let workersFinished = DispatchSemaphore(value: 0)
    /// How many workers are serving a request.
    public let load: WorkerLoad
    let overloadRefusals: Counter
    let streamCheckRefusals: Counter
    let streamCheckAbandons: Counter
    /// Signalled when the last free worker takes a request (and at shutdown): the overload
    /// guard sleeps on it, so it costs nothing while any worker is free.
    let everyWorkerBusy = DispatchSemaphore(value: 0)

    /// Creates a server on a listening socket; call ``start(responder:)`` to serve.
    public init(
        listeningOn listeningSocket: ListeningSocket,
        configuration: Configuration,
        logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws {
        LibFastCGI.initialise()
        self.listeningSocket = listeningSocket
        self.configuration = configuration
        self.logger = logger
        self.acceptor = try ConnectionAcceptor(listening: listeningSocket)
        self.load = WorkerLoad(workers: max(1, configuration.workers), metrics: metrics)
        self.overloadRefusals = Counter(label: FastCGIMetrics.overloadRefusals, factory: metrics)
        self.streamCheckRefusals = Counter(label: FastCGIMetrics.streamCheckCloses, dimensions: [("reason", "refused")], factory: metrics)
        self.streamCheckAbandons = Counter(label: FastCGIMetrics.streamCheckCloses, dimensions: [("reason", "abandoned")], factory: metrics)
    }

    /// Starts the worker threads, which pass each request to `responder`, and returns at once.
    public func start(responder: some FastCGIResponder) {
        let workers = self.load.workers
        let threads = workers + (self.configuration.overload == nil ? 0 : 1)
        self.runningWorkers.withLock { $0 = threads }
        // Before the workers: a call already waiting on the socket is logged after this line.
        self.logger.info(
            "listening",
            metadata: ["listener": "\(self.listeningSocket.description)", "workers": "\(workers)"]
        )
        for index in 0..<threads {
            DetachedThread.start(name: index < workers ? "fcgi-worker-\(index)" : "fcgi-overload") { [self] in
                if index < workers {
                    self.runWorker(responder: responder)
                } else if let overload = self.configuration.overload {
                    self.runOverloadGuard(overload)
                }
                let remaining = self.runningWorkers.withLock { count in
                    count -= 1
                    return count
                }
                if remaining == 0 { self.workersFinished.signal() }
            }
        }
    }

    /// Stops accepting, lets requests in flight finish within `gracePeriod`, and releases the
    /// listening socket. Call once.
    ///
    /// - Returns: true when every in-flight request finished within the grace period.
    @discardableResult
    public func shutdown(gracePeriod: Duration) -> Bool {
        self.logger.info("shutting down", metadata: ["inFlight": "\(self.load.busy)"])
        self.acceptor.stop()
        self.everyWorkerBusy.signal()
        let seconds = Double(gracePeriod.components.seconds) + Double(gracePeriod.components.attoseconds) / 1e18
        let drained = self.workersFinished.wait(timeout: .now() + seconds) == .success
        if drained {
            self.logger.info("stopped")
        } else {
            self.logger.warning(
                "grace period over; abandoning requests in flight",
                metadata: ["inFlight": "\(self.load.busy)"]
            )
        }
        self.listeningSocket.release()
        return drained
    }
}
