import Actions
import CoreMetrics
import JSON
import Logging
import UpstreamHTTP

/// One upstream as the service calls it: its exchange, behind its circuit breaker and its
/// cache when they are on, with its metrics. Every action that names the upstream shares them.
public final class Upstream: Sendable {
    public let settings: UpstreamSettings
    let exchange: any UpstreamExchange
    let breaker: UpstreamCircuitBreaker?
    let cache: ActionResultCache?
    let metrics: UpstreamMetrics

    /// Creates the upstream with the breaker and cache its settings ask for.
    public convenience init(
        settings: UpstreamSettings,
        cache: CacheSettings = .off,
        breaker: CircuitBreakerSettings = .off,
        exchange: any UpstreamExchange,
        logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.init(
            settings: settings,
            exchange: exchange,
            breaker: breaker.isEnabled ? UpstreamCircuitBreaker(settings: breaker, upstream: settings.name, logger: logger) : nil,
            cache: cache.isEnabled ? ActionResultCache(settings: cache) : nil,
            metrics: metrics
        )
    }

    /// Creates the upstream with the given breaker and cache, whatever its settings say.
    public init(
        settings: UpstreamSettings,
        exchange: any UpstreamExchange,
        breaker: UpstreamCircuitBreaker?,
        cache: ActionResultCache?,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.settings = settings
        self.exchange = exchange
        self.breaker = breaker
        self.cache = cache
        self.metrics = UpstreamMetrics(upstream: settings.name, cached: cache != nil, breaking: breaker != nil, factory: metrics)
    }

    /// One request to send.
    public struct Request: Sendable {
        public var method: HTTPMethod
        /// The whole URL: the base URL and the action's expanded path.
        public var url: String
        public var body: [UInt8]?
        /// Headers with input values in them (`Name: value`): part of what names the request.
        public var headers: [String]
        /// The correlation header, when the upstream wants one: not part of the cache key.
        public var correlation: String?

        public init(method: HTTPMethod, url: String, body: [UInt8]?, headers: [String] = [], correlation: String? = nil) {
            self.method = method
            self.url = url
            self.body = body
            self.headers = headers
            self.correlation = correlation
        }
    }

    /// The start of the cache keys of `action`'s requests.
    static func cacheKeyPrefix(action: String, method: HTTPMethod) -> String {
        action + "\u{0}" + method.rawValue + " "
    }

    /// The action's result for `request`: remembered, shared with the same call under way, or
    /// asked of the upstream (unless its circuit is open); with it, how the call came by its
    /// OAuth2 token when it asked the upstream. The cache outcome is nil without a cache, and for
    /// any method but GET, which changes something and so always reaches the upstream.
    /// `keyPrefix` names the action (``cacheKeyPrefix(action:method:)``); `selection` is what
    /// the action reads of the answer (all of it when nil).
    public func result(
        of request: Request,
        keyPrefix: String,
        rule: ActionResultRule,
        selecting selection: JSONSelection? = nil
    ) -> (ActionResult, CacheOutcome?, TokenUse?) {
        guard let cache, request.method == .get else {
            let (result, token) = self.call(request, rule: rule, selecting: selection)
            return (result, nil, token)
        }
        // Only GETs are cached, and a GET has no body: the URL and the headers with input values
        // in them name the request.
        var key = keyPrefix
        key += request.url
        for header in request.headers {
            key += "\n"
            key += header
        }
        var token: TokenUse?
        let (result, outcome) = cache.result(
            for: key,
            decided: { self.metrics.record($0) },
            load: {
                let (result, use) = self.call(request, rule: rule, selecting: selection)
                token = use
                return result
            }
        )
        return (result, outcome, token)
    }

    /// Asks the upstream, through the breaker.
    private func call(_ request: Request, rule: ActionResultRule, selecting selection: JSONSelection?) -> (ActionResult, TokenUse?) {
        if let breaker, case .reject(let failure) = breaker.admit() {
            self.metrics.record(.failed(failure), duration: nil)
            return (.failed(failure), nil)
        }
        let started = ContinuousClock.now
        let result: ActionResult
        let (answer, token) = self.exchange.exchange(
            method: request.method.rawValue,
            url: request.url,
            body: request.body,
            headers: request.correlation.map { request.headers + [$0] } ?? request.headers
        )
        switch answer {
        case .answered(let status, let body): result = rule.result(status: status, body: body, selecting: selection)
        case .failed(let failure): result = .failed(failure)
        }
        self.metrics.record(result, duration: ContinuousClock.now - started)
        if self.breaker?.record(result) == true {
            self.metrics.circuitOpenings?.increment()
        }
        return (result, token)
    }

    /// Records the gauges read rather than counted: the circuit's state and the cache's entries.
    func recordGauges() {
        if let breaker {
            self.metrics.circuitState?.record(breaker.state.rawValue)
        }
        if let cache {
            self.metrics.cacheEntries?.record(cache.entries)
        }
    }
}
