import Logging

/// Sends logs to standard error, which systemd writes to the journal.
enum LoggingSetup {
    /// Bootstraps swift-log once, with `level` for every logger.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StandardErrorLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
