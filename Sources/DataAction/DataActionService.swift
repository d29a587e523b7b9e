import Logging

/// The data action endpoint: routes a request, applies the contract, looks the user up, and
/// answers JSON. Transport-agnostic: FastCGI, CGI and the command line all call
/// ``respond(to:)``.
public struct DataActionService: Sendable {
    /// The path Genesys calls.
    public static let userLookupPath = "/data-action/user-lookup"
    /// The health check path: no authentication, no upstream call.
    public static let healthPath = "/healthz"

    let configuration: DataActionConfiguration
    let directory: any UserDirectory
    /// Remembers directory answers when the configuration turns the cache on.
    let cache: UserLookupCache?
    let logger: Logger

    /// Creates the service, with a cache when the configuration asks for one.
    public init(configuration: DataActionConfiguration, directory: any UserDirectory, logger: Logger) {
        let cache = configuration.cache.isEnabled ? UserLookupCache(settings: configuration.cache) : nil
        self.init(configuration: configuration, directory: directory, cache: cache, logger: logger)
    }

    /// Creates the service with the given cache (or none), whatever the configuration says;
    /// the directory goes behind a circuit breaker when the configuration enables one.
    public init(configuration: DataActionConfiguration, directory: any UserDirectory, cache: UserLookupCache?, logger: Logger) {
        self.configuration = configuration
        if configuration.breaker.isEnabled {
            let breaker = UpstreamCircuitBreaker(settings: configuration.breaker, logger: logger)
            self.directory = CircuitBreakingDirectory(wrapping: directory, breaker: breaker)
        } else {
            self.directory = directory
        }
        self.cache = cache
        self.logger = logger
    }

    /// Answers one request and writes its log line, on the calling thread: a lookup blocks
    /// it until the upstream answers.
    public func respond(to request: DataActionRequest) -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(
            correlationId: RequestRecord.loggable(correlationId: request.header("ININ-Correlation-Id"), secrets: self.configuration.secrets)
        )
        let response: DataActionResponse
        switch request.path {
        case Self.healthPath:
            record.action = "health"
            response = self.health(request, record: &record)
        case Self.userLookupPath:
            record.action = "user-lookup"
            do throws(ContractViolation) {
                response = try self.lookUp(body: self.checkContract(request), record: &record)
            } catch {
                record.outcome = error.outcome
                response = error.response
            }
        default:
            record.outcome = ContractViolation.notFound.outcome
            response = ContractViolation.notFound.response
        }
        return self.finish(response, record: &record, started: started)
    }

    private func health(_ request: DataActionRequest, record: inout RequestRecord) -> DataActionResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            let violation = ContractViolation.methodNotAllowed(allow: "GET, HEAD")
            record.outcome = violation.outcome
            return violation.response
        }
        record.outcome = "ok"
        return DataActionResponse(status: 200, body: .object(["status": .string("ok")]))
    }

    /// The contract's transport checks, in the table's order; the body when they pass.
    private func checkContract(_ request: DataActionRequest) throws(ContractViolation) -> [UInt8] {
        guard request.method == "POST" else { throw .methodNotAllowed(allow: "POST") }
        guard self.configuration.secrets.accepts(authorization: request.header("Authorization")) else {
            throw .unauthorized
        }
        if let organizationId = self.configuration.organizationId,
            request.header("ININ-Organization-Id")?.lowercased() != organizationId
        {
            throw .wrongOrganization
        }
        guard case .complete(let body) = request.body, body.count <= self.configuration.maxBodyBytes else {
            throw .bodyTooLarge(limit: self.configuration.maxBodyBytes)
        }
        return body
    }

    /// Runs the user lookup on a request body, without transport checks or authentication:
    /// for `data-action invoke`, where the operator is the caller.
    public func invoke(body: [UInt8]) -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(correlationId: nil)
        record.action = "user-lookup"
        let response: DataActionResponse
        do throws(ContractViolation) {
            response = try self.lookUp(body: body, record: &record)
        } catch {
            record.outcome = error.outcome
            response = error.response
        }
        return self.finish(response, record: &record, started: started)
    }

    /// Reads the input, asks the upstream (through the cache when it is on), and maps the answer.
    private func lookUp(body: [UInt8], record: inout RequestRecord) throws(ContractViolation) -> DataActionResponse {
        let userId = try UserLookupInput(body: body).userId
        let callStarted = ContinuousClock.now
        let result: UserLookupResult
        if let cache = self.cache {
            let answer = cache.lookUp(userId) { self.directory.lookUpUser(userId) }
            result = answer.result
            record.cache = answer.outcome
        } else {
            result = self.directory.lookUpUser(userId)
        }
        if record.cache != .hit {
            record.upstreamDuration = ContinuousClock.now - callStarted
            record.upstreamStatus = result.upstreamStatus
        }
        return try self.response(for: result, record: &record)
    }

    /// The contract's answer for an upstream result.
    private func response(for result: UserLookupResult, record: inout RequestRecord) throws(ContractViolation) -> DataActionResponse {
        switch result {
        case .found(let user, _):
            record.outcome = "found"
            return UserLookupOutputs(found: user).response
        case .notFound:
            record.outcome = "not-found"
            return UserLookupOutputs(found: nil).response
        case .failed(let failure):
            record.detail = failure.logDetail
            throw failure.violation
        }
    }

    /// Stamps the record with the answer and writes the request's log line.
    private func finish(_ response: DataActionResponse, record: inout RequestRecord, started: ContinuousClock.Instant) -> DataActionResponse {
        record.status = response.status
        record.totalDuration = ContinuousClock.now - started
        record.log(to: self.logger)
        return response
    }
}
