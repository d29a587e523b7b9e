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

    /// Creates the service with the given cache (or none), whatever the configuration says.
    public init(configuration: DataActionConfiguration, directory: any UserDirectory, cache: UserLookupCache?, logger: Logger) {
        self.configuration = configuration
        self.directory = directory
        self.cache = cache
        self.logger = logger
    }

    /// Answers one request and writes its log line.
    public func respond(to request: DataActionRequest) async -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(correlationId: request.header("ININ-Correlation-Id"))
        let response: DataActionResponse
        switch request.path {
        case Self.healthPath:
            record.action = "health"
            response = self.health(request, record: &record)
        case Self.userLookupPath:
            record.action = "user-lookup"
            response = await self.userLookup(request, record: &record)
        default:
            record.outcome = ContractViolation.notFound.outcome
            response = ContractViolation.notFound.response
        }
        record.status = response.status
        record.totalDuration = ContinuousClock.now - started
        record.log(to: self.logger)
        return response
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

    /// The contract's checks in order, then the lookup.
    private func userLookup(_ request: DataActionRequest, record: inout RequestRecord) async -> DataActionResponse {
        do throws(ContractViolation) {
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
            return try await self.lookUp(body: body, record: &record)
        } catch {
            record.outcome = error.outcome
            return error.response
        }
    }

    /// Runs the user lookup on a request body, without transport checks or authentication:
    /// for `data-action invoke`, where the operator is the caller.
    public func invoke(body: [UInt8]) async -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(correlationId: nil)
        record.action = "user-lookup"
        let response: DataActionResponse
        do throws(ContractViolation) {
            response = try await self.lookUp(body: body, record: &record)
        } catch {
            record.outcome = error.outcome
            response = error.response
        }
        record.status = response.status
        record.totalDuration = ContinuousClock.now - started
        record.log(to: self.logger)
        return response
    }

    private func lookUp(body: [UInt8], record: inout RequestRecord) async throws(ContractViolation) -> DataActionResponse {
        let input = try UserLookupInput(body: body)
        let upstreamStarted = ContinuousClock.now
        let result: UserLookupResult
        if let cache = self.cache {
            let directory = self.directory
            let userId = input.userId
            let outcome: CacheOutcome
            (result, outcome) = await cache.lookUp(userId) { await directory.lookUpUser(userId) }
            record.cache = outcome
        } else {
            result = await self.directory.lookUpUser(input.userId)
        }
        if record.cache != .hit {
            record.upstreamDuration = ContinuousClock.now - upstreamStarted
            record.upstreamStatus = result.upstreamStatus
        }
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
}
