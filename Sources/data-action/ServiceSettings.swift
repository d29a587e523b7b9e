import Actions
import DataAction
import FastCGI
import Logging

extension WholeNumberSetting {
    public static let workers = Self("WORKERS", default: 64, range: 1...1024)
    public static let shutdownGraceSeconds = Self("SHUTDOWN_GRACE_SECONDS", default: 10, range: 0...300)
    public static let overloadWaitMilliseconds = Self("OVERLOAD_WAIT_MS", default: 2000, range: 0...60_000)
    public static let logGatherMilliseconds = Self("LOG_GATHER_MS", default: 10, range: 0...1000)
}

/// Every setting the service runs with: the core's and the server's.
struct ServiceSettings {
    var core: DataActionConfiguration
    /// Worker threads (``WholeNumberSetting/workers``): requests served at once.
    var workers: Int
    /// `LOG_LEVEL` (default `info`): trace, debug, info, notice, warning, error or critical.
    var logLevel: Logger.Level
    /// How long log lines are gathered before they are written together, while serving
    /// (``WholeNumberSetting/logGatherMilliseconds``; 0 writes each line at once).
    var logGatherMilliseconds: Int
    /// How long in-flight requests may take to finish after SIGTERM
    /// (``WholeNumberSetting/shutdownGraceSeconds``).
    var shutdownGraceSeconds: Int
    /// How long a request may wait for a worker when every one is busy before it is answered
    /// 503 with `Retry-After` (``WholeNumberSetting/overloadWaitMilliseconds``; 0 turns it off).
    var overloadWaitMilliseconds: Int
    /// `METRICS` (default true): whether `GET /metrics` answers and the service counts.
    var metrics: Bool

    /// Reads and checks every setting; nil when any problem was found (they are in `settings.problems`).
    static func read(from settings: inout SettingsReader, workersOverride: Int?, actionsFile: String?) -> ServiceSettings? {
        let core = DataActionConfiguration.read(from: &settings, asCGI: CGIGateway.isCGIInvocation, actionsFile: actionsFile)
        var workers = settings.integer(.workers)
        if let workersOverride {
            let range = WholeNumberSetting.workers.range
            if range.contains(workersOverride) {
                workers = workersOverride
            } else {
                settings.report("--workers must be from \(range.lowerBound) to \(range.upperBound), not \(workersOverride)")
            }
        }
        let levelText = settings.string("LOG_LEVEL", default: "info")
        let logLevel = Logger.Level(rawValue: levelText.lowercased())
        if logLevel == nil {
            settings.report("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, not '\(levelText)'")
        }
        let logGather = settings.integer(.logGatherMilliseconds)
        let grace = settings.integer(.shutdownGraceSeconds)
        let overloadWait = settings.integer(.overloadWaitMilliseconds)
        let metrics = settings.boolean("METRICS", default: true)
        guard let core, let logLevel, settings.problems.isEmpty else { return nil }
        return ServiceSettings(
            core: core,
            workers: workers,
            logLevel: logLevel,
            logGatherMilliseconds: logGather,
            shutdownGraceSeconds: grace,
            overloadWaitMilliseconds: overloadWait,
            metrics: metrics
        )
    }

    /// Logs, at every start, the settings that give up a protection.
    func warnOfUnsafeChoices(logger: Logger) {
        for warning in self.core.actions.warnings {
            logger.warning("\(warning)")
        }
        if self.core.upstreams.values.contains(where: { !$0.tls.verify }) {
            logger.warning("UPSTREAM_TLS_VERIFY=false: the upstream's certificate is not checked; anyone on the path can read and change the calls")
        }
    }
}
