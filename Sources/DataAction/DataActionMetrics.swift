/// The metric families the service records, through swift-metrics: names and the help text a
/// Prometheus backend shows for each. Label values come from the configuration (action and
/// upstream names) and from fixed sets of words, never from a request.
public enum DataActionMetrics {
    static let requests = "data_action_requests_total"
    static let requestDuration = "data_action_request_duration_seconds"
    static let unroutedRequests = "data_action_unrouted_requests_total"
    static let upstreamCalls = "data_action_upstream_calls_total"
    static let upstreamDuration = "data_action_upstream_call_duration_seconds"
    static let cacheLookups = "data_action_cache_lookups_total"
    static let cacheEntries = "data_action_cache_entries"
    static let circuitState = "data_action_circuit_state"
    static let circuitOpenings = "data_action_circuit_openings_total"
    static let tokenRequests = "data_action_upstream_token_requests_total"

    /// Help text by family name.
    public static let help: [String: String] = [
        requests: "Calls to an action, by the outcome its log line gives and the status answered.",
        requestDuration: "Time from a call's arrival at the service to its answer, per action.",
        unroutedRequests: "Requests for a path that is neither an action nor a service endpoint (answered 404).",
        upstreamCalls:
            "Calls to an upstream by result: found, not-found, timeout, unreachable, error (an unexpected status), invalid (an unusable body), internal-error, or circuit-open (not sent).",
        upstreamDuration: "Time an upstream took to answer or fail, per upstream (calls sent only).",
        cacheLookups: "Cache lookups per upstream: hit (from memory), miss (called the upstream), coalesced (waited for the same call under way).",
        cacheEntries: "Answers held in an upstream's cache, expired ones until they are replaced or forgotten.",
        circuitState: "An upstream's circuit breaker: 0 closed, 1 half-open (the next call, or the one under way, is the probe), 2 open.",
        circuitOpenings: "Times an upstream's circuit opened (after repeated failures, or a failed probe).",
        tokenRequests:
            "OAuth2 token requests per upstream by result: issued, refused (an error answer or no token), failed (not reached or no answer in time).",
    ]
}
