/// The metric families the FastCGI server records, through swift-metrics: names and the help
/// text a Prometheus backend shows for each.
public enum FastCGIMetrics {
    static let workers = "fastcgi_workers"
    static let workersBusy = "fastcgi_workers_busy"
    static let overloadRefusals = "fastcgi_overload_refusals_total"
    static let streamCheckCloses = "fastcgi_stream_check_closes_total"

    /// Help text by family name.
    public static let help: [String: String] = [
        workers: "Worker threads: requests served at once.",
        workersBusy: "Workers serving a request, not counting the scrape itself.",
        overloadRefusals: "Requests answered 503 because every worker stayed busy for longer than OVERLOAD_WAIT_MS.",
        streamCheckCloses:
            "FastCGI connections closed unanswered before the request was read: refused (not what a web server sends) or abandoned (the peer went away or stalled).",
    ]
}
