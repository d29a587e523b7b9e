import Actions
import DataAction
import Foundation
import JSON
import Logging
import TestSupport
import Testing
import UpstreamHTTP

/// A ``DataActionService`` wired to a real upstream stub on loopback, for one test.
struct ServiceHarness {
    static let secret = "s3cret-for-tests-0123456789"
    static let previousSecret = "previous-secret-abcdefghij"
    static let organizationId = "5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab"

    let service: DataActionService
    let stub: UpstreamStub
    let logs: LogCapture

    /// Runs `body` with a service in front of a fresh stub, then shuts both down.
    ///
    /// Without `actions`, the service serves the built-in user lookup from the stub; an actions
    /// file's upstreams whose URL is a setting (`{ env: NAME }`) are the stub.
    static func with(
        timeoutMilliseconds: Int = 5000,
        organizationId: String? = nil,
        maxBodyBytes: Int = 65_536,
        upstreamHeaders: [String] = [],
        baseURL: String? = nil,
        cache: ActionResultCache? = nil,
        breaker: CircuitBreakerSettings = .off,
        actions yaml: String? = nil,
        _ body: (ServiceHarness) async throws -> Void
    ) async throws {
        let stub = try await UpstreamStub(slowDelay: .seconds(1))
        let actions: ActionsFile
        if let yaml {
            let (file, problems) = ActionsFile.parse(yaml: yaml, source: "test.yaml", defaults: .init())
            try #require(problems == [])
            actions = try #require(file)
        } else {
            actions = ActionsFile.builtIn(upstream: UpstreamDefinition(name: ActionsFile.builtInUpstreamName, url: .literal(baseURL ?? stub.baseURL)))
        }
        let logs = LogCapture()
        var upstreams: [String: Upstream] = [:]
        var settings: [UpstreamSettings] = []
        for definition in actions.upstreams {
            let url =
                switch definition.url {
                case .literal(let url): url
                case .setting: stub.origin
                }
            let upstream = UpstreamSettings(
                name: definition.name,
                baseURL: url,
                timeoutMilliseconds: yaml == nil ? timeoutMilliseconds : definition.timeoutMilliseconds,
                headers: upstreamHeaders,
                maxBodyBytes: definition.maxBodyBytes,
                userAgent: DataActionVersion.userAgent
            )
            settings.append(upstream)
            let breaker =
                breaker.isEnabled ? UpstreamCircuitBreaker(settings: breaker, upstream: definition.name, logger: logs.logger()) : nil
            upstreams[definition.name] = Upstream(
                settings: upstream,
                exchange: UpstreamClient(settings: upstream),
                breaker: breaker,
                cache: cache ?? (definition.cache.isEnabled ? ActionResultCache(settings: definition.cache) : nil)
            )
        }
        let configuration = DataActionConfiguration(
            secrets: SharedSecrets(current: Self.secret, previous: Self.previousSecret),
            organizationId: organizationId,
            maxBodyBytes: maxBodyBytes,
            actions: actions,
            upstreams: settings
        )
        let harness = ServiceHarness(
            service: DataActionService(configuration: configuration, upstreams: upstreams, logger: logs.logger()),
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

    /// POSTs `body` to the action `name`, as Genesys would, with the current secret.
    func call(_ name: String, _ body: String) async -> DataActionResponse {
        await self.send(path: ActionDefinition.pathPrefix + name, body: .complete(Array(body.utf8)))
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
        path: String = "/data-action/user-lookup",
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
