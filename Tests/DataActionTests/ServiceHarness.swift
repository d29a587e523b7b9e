import DataAction
import Logging
import TestSupport

/// A ``DataActionService`` wired to a real upstream stub on loopback, for one test.
struct ServiceHarness {
    static let secret = "s3cret-for-tests-0123456789"
    static let previousSecret = "previous-secret-abcdefghij"
    static let organizationId = "5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab"

    let service: DataActionService
    let stub: UpstreamStub
    let logs: LogCapture

    /// Runs `body` with a service in front of a fresh stub, then shuts both down.
    static func with(
        timeoutMilliseconds: Int = 5000,
        organizationId: String? = nil,
        maxBodyBytes: Int = 65_536,
        upstreamAuthorization: String? = nil,
        baseURL: String? = nil,
        cache: UserLookupCache? = nil,
        breaker: CircuitBreakerSettings = .off,
        _ body: (ServiceHarness) async throws -> Void
    ) async throws {
        let stub = try await UpstreamStub(slowDelay: .seconds(1))
        let upstream = UpstreamSettings(
            baseURL: baseURL ?? stub.baseURL,
            timeoutMilliseconds: timeoutMilliseconds,
            authorization: upstreamAuthorization,
            maxBodyBytes: 1_048_576
        )
        let configuration = DataActionConfiguration(
            secrets: SharedSecrets(current: Self.secret, previous: Self.previousSecret),
            upstream: upstream,
            organizationId: organizationId,
            maxBodyBytes: maxBodyBytes,
            breaker: breaker
        )
        let directory = HTTPUserDirectory(settings: upstream)
        let logs = LogCapture()
        let harness = ServiceHarness(
            service: DataActionService(configuration: configuration, directory: directory, cache: cache, logger: logs.logger()),
            stub: stub,
            logs: logs
        )
        do {
            try await body(harness)
        } catch {
            try await stub.stop()
            throw error
        }
        try await stub.stop()
    }

    /// POSTs `body` to the user lookup as Genesys would, with the current secret.
    func lookUp(
        _ body: String,
        authorization: String? = "Bearer \(Self.secret)",
        extraHeaders: [String: String] = [:]
    ) async -> DataActionResponse {
        await self.send(method: "POST", body: .complete(Array(body.utf8)), authorization: authorization, extraHeaders: extraHeaders)
    }

    func send(
        method: String = "POST",
        path: String = DataActionService.userLookupPath,
        body: DataActionRequest.Body,
        authorization: String? = "Bearer \(Self.secret)",
        extraHeaders: [String: String] = [:]
    ) async -> DataActionResponse {
        var headers = ["Content-Type": "application/json", "ININ-Correlation-Id": "corr-1234"]
        if let authorization { headers["Authorization"] = authorization }
        headers.merge(extraHeaders) { $1 }
        let service = self.service
        let request = DataActionRequest(method: method, path: path, headers: headers, body: body)
        return await onThread { service.respond(to: request) }
    }
}

extension DataActionResponse {
    /// The first error message, for error answers.
    var errorMessage: String? {
        guard case .object(let members) = self.body, case .array(let errors)? = members["errors"],
            case .object(let first)? = errors.first
        else { return nil }
        return first["message"]?.stringValue
    }

    /// The `outputs` object of a lookup answer.
    var outputs: [String: JSONValue]? {
        self.body.objectValue?["outputs"]?.objectValue
    }

    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
