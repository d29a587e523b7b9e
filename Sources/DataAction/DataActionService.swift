import Logging
import NIOCore

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

    /// Answers one request and writes its log line.
    public func respond(to request: DataActionRequest) async -> DataActionResponse {
        switch self.start(request) {
        case .answered(let response): response
        case .waitingForDirectory(let pending): await pending.finish()
        }
    }

    /// Takes a request as far as it goes without waiting: routing, the contract's checks, the
    /// input, and a remembered answer when the cache has one. Everything but a directory call
    /// is answered (and logged) here, on the caller's thread; a transport with blocking
    /// workers answers those without a thread hop, and only hands the rest to async code.
    public func start(_ request: DataActionRequest) -> DataActionProgress {
        let started = ContinuousClock.now
        var record = RequestRecord(
            correlationId: RequestRecord.loggable(correlationId: request.header("ININ-Correlation-Id"), secrets: self.configuration.secrets)
        )
        switch request.path {
        case Self.healthPath:
            record.action = "health"
            let response = self.health(request, record: &record)
            return .answered(self.finish(response, record: &record, started: started))
        case Self.userLookupPath:
            record.action = "user-lookup"
            do throws(ContractViolation) {
                let body = try self.checkContract(request)
                return try self.beginLookup(body: body, record: record, started: started)
            } catch {
                record.outcome = error.outcome
                return .answered(self.finish(error.response, record: &record, started: started))
            }
        default:
            record.outcome = ContractViolation.notFound.outcome
            return .answered(self.finish(ContractViolation.notFound.response, record: &record, started: started))
        }
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
    public func invoke(body: [UInt8]) async -> DataActionResponse {
        let started = ContinuousClock.now
        var record = RequestRecord(correlationId: nil)
        record.action = "user-lookup"
        do throws(ContractViolation) {
            switch try self.beginLookup(body: body, record: record, started: started) {
            case .answered(let response): return response
            case .waitingForDirectory(let pending): return await pending.finish()
            }
        } catch {
            record.outcome = error.outcome
            return self.finish(error.response, record: &record, started: started)
        }
    }

    /// Reads the input; answers from the cache when it remembers the user.
    private func beginLookup(
        body: [UInt8],
        record: RequestRecord,
        started: ContinuousClock.Instant
    ) throws(ContractViolation)
        -> DataActionProgress
    {
        let input = try UserLookupInput(body: body)
        var record = record
        if let remembered = self.cache?.remembered(input.userId) {
            record.cache = .hit
            let response = try self.response(for: remembered, record: &record)
            return .answered(self.finish(response, record: &record, started: started))
        }
        return .waitingForDirectory(PendingLookup(service: self, userId: input.userId, record: record, started: started))
    }

    /// The contract's answer for a directory result.
    func response(for result: UserLookupResult, record: inout RequestRecord) throws(ContractViolation) -> DataActionResponse {
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
    func finish(_ response: DataActionResponse, record: inout RequestRecord, started: ContinuousClock.Instant) -> DataActionResponse {
        record.status = response.status
        record.totalDuration = ContinuousClock.now - started
        record.log(to: self.logger)
        return response
    }
}

/// How far ``DataActionService/start(_:)`` got without waiting.
public enum DataActionProgress: Sendable {
    /// Answered, and logged.
    case answered(DataActionResponse)
    /// The answer needs the user directory: ``PendingLookup/finish()`` asks it.
    case waitingForDirectory(PendingLookup)
}

/// A lookup that passed every check and now needs the user directory.
public struct PendingLookup: Sendable {
    let service: DataActionService
    let userId: UserIdentifier
    var record: RequestRecord
    let started: ContinuousClock.Instant

    /// Asks the directory (through the cache when it is on), answers and logs.
    public func finish() async -> DataActionResponse {
        let call = self.startCall()
        let result: UserLookupResult
        do {
            result = try await call.answer.get()
        } catch {
            result = .failed(.unreachable(reason: "\(error)"))
        }
        return self.answer(result, call: call)
    }

    /// Like ``finish()``, blocking the calling thread until the directory answers.
    ///
    /// For transports with blocking worker threads (FastCGI): the thread waits on the HTTP
    /// client's future directly, without a task in between. Never call it from async code or
    /// from an event loop.
    public func finishOnThisThread() -> DataActionResponse {
        let call = self.startCall()
        let result: UserLookupResult
        do {
            result = try call.answer.wait()
        } catch {
            result = .failed(.unreachable(reason: "\(error)"))
        }
        return self.answer(result, call: call)
    }

    /// A directory call under way, or a remembered answer.
    private struct Call {
        let answer: EventLoopFuture<UserLookupResult>
        let cache: CacheOutcome?
        let started: ContinuousClock.Instant
    }

    private func startCall() -> Call {
        let started = ContinuousClock.now
        let directory = self.service.directory
        let userId = self.userId
        guard let cache = self.service.cache else {
            return Call(answer: directory.lookUpUser(userId), cache: nil, started: started)
        }
        switch cache.lookUp(userId, load: { directory.lookUpUser(userId) }) {
        case .pending(let answer, let outcome):
            return Call(answer: answer, cache: outcome, started: started)
        case .remembered(let result):
            // Remembered since start(_:) looked: answer at once.
            return Call(answer: directory.eventLoop.makeSucceededFuture(result), cache: .hit, started: started)
        }
    }

    private func answer(_ result: UserLookupResult, call: Call) -> DataActionResponse {
        var record = self.record
        record.cache = call.cache
        if call.cache != .hit {
            record.upstreamDuration = ContinuousClock.now - call.started
            record.upstreamStatus = result.upstreamStatus
        }
        let response: DataActionResponse
        do throws(ContractViolation) {
            response = try self.service.response(for: result, record: &record)
        } catch {
            record.outcome = error.outcome
            response = error.response
        }
        return self.service.finish(response, record: &record, started: self.started)
    }
}
