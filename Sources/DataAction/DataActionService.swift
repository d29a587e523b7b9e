import Actions
import CoreMetrics
import JSON
import Logging
import UpstreamHTTP

/// The data action endpoint: routes a request to its action, applies the contract, asks the
/// action's upstream, and answers JSON. Transport-agnostic: FastCGI, CGI and the command line
/// all call ``respond(to:)``. It records its metrics (``DataActionMetrics``) through swift-metrics.
public struct DataActionService: Sendable {
    /// The health check path: no authentication, no upstream call.
    public static let healthPath = "/healthz"

    /// An action with the upstream it calls. A class: a call reads its parts in place instead of
    /// copying the whole definition (and touching every reference count in it) out of the table.
    final class Route: Sendable {
        let action: ActionDefinition
        let upstream: Upstream
        /// The start of its requests' cache keys.
        let cacheKeyPrefix: String
        let metrics: ActionMetrics
        /// The header the upstream takes Genesys' correlation id in, when it wants it.
        let correlationHeader: String?
        /// What the action reads of an upstream answer.
        let answerSelection: JSONSelection
        /// Writes its 200 answers.
        let answer: OutputsAnswer

        init(action: ActionDefinition, upstream: Upstream, correlationHeader: String?, metrics: any MetricsFactory) {
            self.action = action
            self.upstream = upstream
            self.correlationHeader = correlationHeader
            self.cacheKeyPrefix = Upstream.cacheKeyPrefix(action: action.name, method: action.request.method)
            self.metrics = ActionMetrics(action: action.name, factory: metrics)
            self.answerSelection = action.answerSelection
            self.answer = OutputsAnswer(action.outputs)
        }
    }

    let configuration: DataActionConfiguration
    /// The actions by path.
    let routes: [String: Route]
    /// Every upstream an action calls, by name.
    let upstreams: [String: Upstream]
    let logger: Logger
    /// Where request lines are written instead of through `logger`, when set.
    let requestLines: RequestLineWriter?
    let unroutedRequests: Counter

    /// Takes one whole request line (``LogfmtLine``'s layout, its newline included): the
    /// serving process writes its request lines straight to standard error this way, at
    /// `logger`'s level, without building swift-log's metadata for each.
    public typealias RequestLineWriter = @Sendable (UnsafeRawBufferPointer) -> Void

    /// Creates the service: one ``Upstream`` per declared upstream, on the exchange `exchange`
    /// makes for it (libcurl, its OAuth2 token requests counted, by default), with the breaker
    /// and cache its settings ask for.
    public init(
        configuration: DataActionConfiguration,
        logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory,
        exchange: ((UpstreamSettings) -> any UpstreamExchange)? = nil,
        requestLines: RequestLineWriter? = nil
    ) {
        var upstreams: [String: Upstream] = [:]
        for (name, settings) in configuration.upstreams {
            let declared = configuration.actions.upstream(named: name)
            upstreams[name] = Upstream(
                settings: settings,
                cache: declared?.cache ?? .off,
                breaker: declared?.breaker ?? .off,
                exchange: exchange?(settings) ?? Self.client(settings, metrics: metrics),
                logger: logger,
                metrics: metrics
            )
        }
        self.init(configuration: configuration, upstreams: upstreams, logger: logger, metrics: metrics, requestLines: requestLines)
    }

    /// The libcurl client of an upstream; an OAuth2 upstream's token requests are counted, every
    /// series made at start.
    private static func client(_ settings: UpstreamSettings, metrics: any MetricsFactory) -> UpstreamClient {
        guard case .oauth2? = settings.authentication else { return UpstreamClient(settings: settings) }
        let counters = Dictionary(
            uniqueKeysWithValues: OAuth2TokenSource.Outcome.allCases.map {
                (
                    $0,
                    Counter(
                        label: DataActionMetrics.tokenRequests,
                        dimensions: [("upstream", settings.name), ("result", $0.rawValue)],
                        factory: metrics
                    )
                )
            }
        )
        return UpstreamClient(settings: settings) { counters[$0]?.increment() }
    }

    /// Creates the service on upstreams made by the caller, by name.
    public init(
        configuration: DataActionConfiguration,
        upstreams: [String: Upstream],
        logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory,
        requestLines: RequestLineWriter? = nil
    ) {
        self.configuration = configuration
        self.requestLines = requestLines
        var routes: [String: Route] = [:]
        for action in configuration.actions.actions {
            guard let upstream = upstreams[action.request.upstream] else {
                preconditionFailure("action \(action.name) names upstream \(action.request.upstream), which was not checked")
            }
            let correlationHeader = configuration.actions.upstream(named: action.request.upstream)?.correlationHeader
            routes[action.path] = Route(action: action, upstream: upstream, correlationHeader: correlationHeader, metrics: metrics)
        }
        self.routes = routes
        self.upstreams = Dictionary(routes.values.map { ($0.upstream.settings.name, $0.upstream) }) { first, _ in first }
        self.logger = logger
        self.unroutedRequests = Counter(label: DataActionMetrics.unroutedRequests, factory: metrics)
    }

    /// Answers one request and writes its log line, on the calling thread: an upstream call
    /// blocks it until the upstream answers.
    public func respond(to request: DataActionRequest) -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(
            correlationId: RequestRecord.loggable(correlationId: request.header("inin-correlation-id"), secrets: self.configuration.secrets)
        )
        let response: DataActionResponse
        if let route = self.routes[request.path] {
            record.action = route.action.name
            do throws(ContractViolation) {
                response = try self.run(route, body: self.checkContract(request), record: &record)
            } catch {
                record.outcome = error.outcome
                if let detail = error.logDetail { record.detail = detail }
                response = error.response
            }
            return self.finish(response, record: &record, started: started, metrics: route.metrics)
        } else if request.path == Self.healthPath {
            record.action = "health"
            response = self.health(request, record: &record)
        } else {
            self.unroutedRequests.increment()
            record.outcome = ContractViolation.notFound.outcome
            response = ContractViolation.notFound.response
        }
        return self.finish(response, record: &record, started: started)
    }

    private func health(_ request: DataActionRequest, record: inout RequestRecord) -> DataActionResponse {
        if let violation = ContractViolation.onlyRead(method: request.method) {
            record.outcome = violation.outcome
            return violation.response
        }
        record.outcome = .ok
        return DataActionResponse(status: 200, body: .object(["status": .string("ok")]))
    }

    /// The contract's transport checks, in the table's order; the body when they pass.
    private func checkContract(_ request: DataActionRequest) throws(ContractViolation) -> [UInt8] {
        guard request.method == "POST" else { throw .methodNotAllowed(allow: "POST") }
        let secrets = self.configuration.secrets
        let (accepted, headerArrived) = request.withHeader("authorization") { header in
            (header.map { secrets.accepts(authorization: $0) } ?? false, header != nil)
        }
        guard accepted else { throw .unauthorized(headerArrived: headerArrived) }
        // The configured id (a UUID) is held lower-cased; the header's may have capitals.
        if let organizationId = self.configuration.organizationId {
            let matches = request.withHeader("inin-organization-id") { presented in
                ASCIICase.matches(presented ?? UnsafeBufferPointer(start: nil, count: 0), lowercased: organizationId)
            }
            guard matches else { throw .wrongOrganization }
        }
        guard case .complete(let body) = request.body, body.count <= self.configuration.maxBodyBytes else {
            throw .bodyTooLarge(limit: self.configuration.maxBodyBytes)
        }
        return body
    }

    /// Runs an action on a request body, without transport checks or authentication: for
    /// `data-action invoke`, where the operator is the caller. nil when no action has the name.
    public func invoke(action name: String, body: [UInt8]) -> DataActionResponse? {
        guard let route = self.routes[ActionDefinition.pathPrefix + name] else { return nil }
        let started = ContinuousClock.now
        var record = RequestRecord(correlationId: nil)
        record.action = name
        let response: DataActionResponse
        do throws(ContractViolation) {
            response = try self.run(route, body: body, record: &record)
        } catch {
            record.outcome = error.outcome
            response = error.response
        }
        return self.finish(response, record: &record, started: started)
    }

    /// Reads the inputs, asks the upstream (through its cache and breaker), and maps the answer.
    private func run(_ route: Route, body: [UInt8], record: inout RequestRecord) throws(ContractViolation) -> DataActionResponse {
        let upstream = route.upstream
        let values = try ActionInputs(body: body, inputs: route.action.inputs).values
        let url: String
        var headers: [String] = []
        do throws(InputRefusal) {
            url = try route.action.request.path.expand(values, after: upstream.settings.baseURL)
            for header in route.action.request.headers {
                if let line = try header.line(values) { headers.append(line) }
            }
        } catch {
            throw ContractViolation(error)
        }
        let correlation = route.correlationHeader.flatMap { name in
            record.correlationId.flatMap { $0 == RequestRecord.withheld ? nil : "\(name): \($0)" }
        }
        let request = Upstream.Request(
            method: route.action.request.method,
            url: url,
            body: route.action.request.body.map { $0.render(values).serialized },
            headers: headers,
            correlation: correlation
        )
        record.upstream = upstream.settings.name
        let callStarted = ContinuousClock.now
        let (result, cacheOutcome, token) = upstream.result(
            of: request,
            keyPrefix: route.cacheKeyPrefix,
            rule: route.action.result,
            selecting: route.answerSelection
        )
        record.cache = cacheOutcome
        record.token = token
        if cacheOutcome != .hit {
            record.upstreamDuration = ContinuousClock.now - callStarted
            record.upstreamStatus = result.upstreamStatus
        }
        switch result {
        case .found(let found, _):
            record.outcome = .found
            return route.answer.response(for: found)
        case .notFound:
            record.outcome = .notFound
            return route.answer.response(for: nil)
        case .failed(let failure):
            record.detail = failure.logDetail
            throw failure.violation
        }
    }

    /// Stamps the record with the answer, writes the request's log line and, for a call to an
    /// action, its metrics.
    private func finish(
        _ response: DataActionResponse,
        record: inout RequestRecord,
        started: ContinuousClock.Instant,
        metrics: ActionMetrics? = nil
    ) -> DataActionResponse {
        record.status = response.status
        record.totalDuration = ContinuousClock.now - started
        if let requestLines {
            if self.logger.logLevel <= record.level {
                var line: [UInt8] = []
                line.reserveCapacity(384)
                record.appendLine(label: self.logger.label, to: &line)
                line.withUnsafeBytes(requestLines)
            }
        } else {
            record.log(to: self.logger)
        }
        metrics?.record(outcome: record.outcome, status: record.status, duration: record.totalDuration)
        return response
    }
}
