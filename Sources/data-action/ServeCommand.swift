import Actions
import ArgumentParser
import DataAction
import FastCGI
import Logging

/// `data-action serve`: runs the FastCGI responder.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Genesys data action requests over FastCGI (or one request as CGI).",
        discussion: """
            Listens on the first of: a socket from systemd socket activation (LISTEN_FDS), a listening \
            socket on standard input (spawn-fcgi, StandardInput=socket), --socket or --listen. With none \
            of these and a CGI environment (REQUEST_METHOD set), it answers one CGI request and exits.

            SIGTERM or SIGINT stops accepting, lets requests in flight finish (SHUTDOWN_GRACE_SECONDS) \
            and exits 0.

            Besides the actions it answers GET /healthz, GET /readyz (503 when every upstream's circuit \
            is open or every worker is busy) and GET /metrics (Prometheus; METRICS=false turns it off).
            """
    )

    @Option(name: .customLong("socket"), help: ArgumentHelp("Listen on a unix socket at this path.", valueName: "path"))
    var socketPath: String?

    @Option(name: .customLong("socket-mode"), help: ArgumentHelp("Permission bits of the --socket file, in octal.", valueName: "mode"))
    var socketMode: String = "0666"

    @Option(name: .customLong("listen"), help: ArgumentHelp("Listen on TCP, IPv4 (e.g. 127.0.0.1:9000).", valueName: "host:port"))
    var listenAddress: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Worker threads: requests served at once (overrides WORKERS; default \(WholeNumberSetting.workers.defaultValue)).",
            valueName: "n"
        )
    )
    var workers: Int?

    @OptionGroup var settingsOptions: SettingsOptions

    func validate() throws {
        if self.socketPath != nil && self.listenAddress != nil {
            throw ValidationError("Use either --socket or --listen, not both.")
        }
        if let listenAddress, Self.parseListenAddress(listenAddress) == nil {
            throw ValidationError("--listen needs HOST:PORT with an IPv4 address or host name and a port 1-65535, e.g. 127.0.0.1:9000")
        }
        if UInt32(self.socketMode, radix: 8).map({ $0 <= 0o777 }) != true {
            throw ValidationError("--socket-mode needs octal permission bits, e.g. 0660")
        }
    }

    func run() async throws {
        var reader = await self.settingsOptions.load()
        guard let settings = ServiceSettings.read(from: &reader, workersOverride: self.workers, actionsFile: self.settingsOptions.actionsFile) else {
            throw StartupFailure(problems: reader.problems)
        }
        LoggingSetup.bootstrap(level: settings.logLevel)
        let logger = Logger(label: "data-action")
        settings.warnOfUnsafeChoices(logger: logger)
        // Before the service and the server, which make their metrics when they are made.
        let registry = settings.metrics ? MetricsSetup.bootstrap() : nil
        let service = DataActionService(
            configuration: settings.core,
            logger: logger,
            requestLines: { StandardErrorWriter.shared.write($0) }
        )

        if let listener = try self.listener() {
            let server = try FastCGIServer(
                listeningOn: listener,
                configuration: .init(
                    workers: settings.workers,
                    maxBodyBytes: settings.core.maxBodyBytes,
                    overload: settings.overloadWaitMilliseconds == 0
                        ? nil
                        : .init(
                            maxWait: .milliseconds(settings.overloadWaitMilliseconds),
                            response: DataActionResponder.response(ContractViolation.overloaded.response)
                        )
                ),
                logger: logger
            )
            ShutdownSignal.install()
            if settings.logGatherMilliseconds > 0 {
                StandardErrorWriter.shared.startGathering(delay: .milliseconds(settings.logGatherMilliseconds))
            }
            // Every line gathered is written before the process ends.
            defer { StandardErrorWriter.shared.stopGathering() }
            server.start(
                responder: DataActionResponder(
                    service: service,
                    monitoring: MonitoringEndpoints(service: service, registry: registry, workers: server.load)
                )
            )
            let signal = await ShutdownSignal.waitInBackground()
            logger.info("received \(signal)")
            server.shutdown(gracePeriod: .seconds(settings.shutdownGraceSeconds))
        } else if CGIGateway.isCGIInvocation {
            ShutdownSignal.ignoreBrokenPipes()
            let responder = DataActionResponder(
                service: service,
                monitoring: MonitoringEndpoints(service: service, registry: registry, workers: nil)
            )
            CGIGateway.serveOneRequest(responder: responder, maxBodyBytes: settings.core.maxBodyBytes)
        } else {
            throw StartupFailure(
                problems: [
                    "nothing to listen on: pass --socket PATH or --listen HOST:PORT, start it from a systemd socket unit or spawn-fcgi, or run it as CGI"
                ],
                code: 64
            )
        }
    }

    /// The listener, in the order docs/ARCHITECTURE.md gives; nil means plain CGI.
    private func listener() throws -> ListeningSocket? {
        do {
            if let systemd = ListeningSocket.fromSystemd() { return systemd }
            if let inherited = ListeningSocket.fromStandardInput() { return inherited }
            if let socketPath {
                return try ListeningSocket.unixSocket(path: socketPath, mode: UInt32(self.socketMode, radix: 8)!)
            }
            if let listenAddress, let (host, port) = Self.parseListenAddress(listenAddress) {
                return try ListeningSocket.tcp(host: host, port: port)
            }
            return nil
        } catch let error as ListeningSocketError {
            throw StartupFailure(error.description, code: 71)
        }
    }

    static func parseListenAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        return (host, port)
    }
}
