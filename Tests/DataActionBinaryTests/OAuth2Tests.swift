import Foundation
import TestSupport
import Testing

/// An upstream behind OAuth2 client credentials (RFC 6749 §4.4), against the stub's token
/// endpoint and a resource that wants its bearer tokens (RFC 6750), through the real binary.
@Suite("OAuth2 upstreams", .timeLimit(.minutes(3)))
struct OAuth2Tests {
    static let wrongSecret = "not-the-client-secret-77c2"

    static func actions(clientAuthentication: String) -> String {
        """
        upstreams:
          crm:
            url: { env: STUB_ORIGIN }
            auth:
              oauth2:
                tokenUrl: { env: STUB_TOKEN_URL }
                clientId: { env: CRM_CLIENT_ID }
                clientSecret: { env: CRM_CLIENT_SECRET }
                scope: customers.read
                clientAuthentication: \(clientAuthentication)
        actions:
          customer:
            inputs: { id: { type: string, required: true, pattern: "^[a-z0-9]+$" } }
            request: { upstream: crm, path: "/secured/customers/{id}" }
            outputs: { customerFound: found, customerName: $.name }
        """
    }

    /// Runs `body` with the service serving the OAuth2 action.
    func withService(
        clientAuthentication: String = "body",
        secret: String = UpstreamStub.oauthClient.secret,
        workers: Int = 8,
        environment: [String: String] = [:],
        _ body: (ServiceProcess, FastCGITestClient, UpstreamStub) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("actions.yaml")
        try Self.actions(clientAuthentication: clientAuthentication).write(toFile: file, atomically: true, encoding: .utf8)
        let settings = ["ACTIONS_FILE": file, "CRM_CLIENT_ID": UpstreamStub.oauthClient.id, "CRM_CLIENT_SECRET": secret]
        try await ServeTests().withService(.socket(workers: workers, environment: settings.merging(environment) { $1 }), body)
    }

    static func customer(_ client: FastCGITestClient, _ id: String = "c1") async throws -> FastCGITestClient.Answer {
        try await onThread { try client.post("/data-action/customer", headers: ServeTests.lookupHeaders, body: Array(#"{"id":"\#(id)"}"#.utf8)) }
    }

    /// No client secret and no token anywhere the service writes.
    static func expectNoSecrets(_ texts: String...) {
        for text in texts {
            #expect(!text.contains(UpstreamStub.oauthClient.secret) && !text.contains(Self.wrongSecret))
            #expect(!text.contains(UpstreamStub.tokenPrefix))
        }
    }

    @Test("one token for every call: 64 concurrent first calls on 64 workers make one token request, later calls reuse it")
    func tokenKeptAndShared() async throws {
        try await self.withService(workers: 64) { process, client, stub in
            // The token request waits at the gate until every call has been sent.
            stub.holdTokenRequests()
            let calls = (0..<64).map { _ in Task { try await Self.customer(client).status } }
            try await stub.waitUntilHeld(1)
            stub.openGate()
            var statuses: [Int] = []
            for call in calls { statuses.append(try await call.value) }
            #expect(statuses == Array(repeating: 200, count: 64))
            for _ in 0..<3 { #expect(try await Self.customer(client).text == #"{"outputs":{"customerFound":true,"customerName":"Ada Lovelace"}}"#) }
            #expect(stub.issuedTokens.count == 1)
            #expect(stub.clientAuthentications == ["body"])
            let metrics = try await ServeTests.scrape(client)
            #expect(metrics.value("data_action_upstream_token_requests_total", ["upstream": "crm", "result": "issued"]) == 1)
            #expect(metrics.value("data_action_upstream_token_requests_total", ["upstream": "crm", "result": "refused"]) == 0)
            Self.expectNoSecrets(process.standardError, metrics.text)
        }
    }

    @Test("the client authenticates with HTTP Basic when the file says so (RFC 6749 §2.3.1)")
    func basicClientAuthentication() async throws {
        try await self.withService(clientAuthentication: "basic") { _, client, stub in
            let answer = try await Self.customer(client)
            #expect(answer.status == 200)
            #expect(stub.clientAuthentications == ["basic"])
        }
    }

    @Test("a 401 fetches a new token once and sends that call once more; a second 401 is 502")
    func refreshOnUnauthorized() async throws {
        try await self.withService { process, client, stub in
            #expect(try await Self.customer(client).status == 200)
            #expect(try await Self.customer(client).status == 200)
            stub.revokeTokens()
            #expect(try await Self.customer(client).status == 200)
            #expect(stub.issuedTokens.count == 2)
            #expect(stub.requests.filter { $0.uri == "/secured/customers/c1" }.count == 4)
            let refused = try await Self.customer(client, "refused")
            #expect(refused.status == 502)
            #expect(stub.issuedTokens.count == 3)
            #expect(stub.requests.filter { $0.uri == "/secured/customers/refused" }.count == 2)
            // Each call's log line says how it came by its token.
            var tokens: [String] = []
            try await waitUntil("four request lines") {
                tokens = LogLineTests.requestLines(process).compactMap { line in line.first { $0.key == "token" }?.value }
                return tokens.count == 4
            } saw: {
                "\(tokens)"
            }
            #expect(tokens == ["fetched", "kept", "refreshed", "refreshed"])
            print(process.standardError.split(separator: "\n").filter { $0.hasSuffix("request") }.joined(separator: "\n"))
            Self.expectNoSecrets(process.standardError, refused.text)
        }
    }

    @Test("a token is kept for expires_in less a minute, or an hour when the endpoint gives none")
    func expiry() async throws {
        try await self.withService { _, client, stub in
            stub.setTokenLifetime(0)
            let statuses = [try await Self.customer(client).status, try await Self.customer(client).status]
            #expect(statuses == [200, 200])
            #expect(stub.issuedTokens.count == 2, "a token that expires at once is fetched for each call")
            stub.setTokenLifetime(nil)
            #expect(try await Self.customer(client).status == 200)
            #expect(try await Self.customer(client).status == 200)
            #expect(stub.issuedTokens.count == 3)
        }
    }

    @Test("a token endpoint that refuses the client (invalid_client) answers 502; the log names the endpoint and the code, never the secret")
    func invalidClient() async throws {
        try await self.withService(secret: Self.wrongSecret) { process, client, stub in
            let answer = try await Self.customer(client)
            #expect(answer.status == 502)
            #expect(answer.text == #"{"errors":[{"message":"The upstream answered with an error."}]}"#)
            try await process.waitForStandardError(containing: "token endpoint \(stub.origin)/oauth2/token refused: invalid_client")
            #expect(stub.requests.filter { $0.uri.hasPrefix("/secured/") }.isEmpty)
            let metrics = try await ServeTests.scrape(client)
            #expect(metrics.value("data_action_upstream_token_requests_total", ["upstream": "crm", "result": "refused"]) == 1)
            Self.expectNoSecrets(process.standardError, metrics.text, answer.text)
        }
    }

    @Test("a token endpoint that is down answers 502, one that does not answer in time 504")
    func endpointDownOrSlow() async throws {
        let closed = try await ClosedPort.find()
        try await self.withService(environment: ["STUB_TOKEN_URL": "http://127.0.0.1:\(closed)/oauth2/token"]) { process, client, _ in
            #expect(try await Self.customer(client).status == 502)
            try await process.waitForStandardError(containing: "token endpoint http://127.0.0.1:\(closed)/oauth2/token: cannot connect")
        }
        try await self.withService(environment: ["UPSTREAM_TIMEOUT_MS": "300"]) { process, client, stub in
            stub.holdTokenRequests()
            #expect(try await Self.customer(client).status == 504)
            let metrics = try await ServeTests.scrape(client)
            #expect(metrics.value("data_action_upstream_token_requests_total", ["upstream": "crm", "result": "failed"]) == 1)
            Self.expectNoSecrets(process.standardError)
        }
    }
}
