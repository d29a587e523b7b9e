import Foundation
import TestSupport
import Testing

/// What an action adds to its upstream calls besides the path and body: headers with input
/// values, Genesys' correlation id under the upstream's header name, and an API key in the query.
@Suite("Request headers and query keys", .timeLimit(.minutes(3)))
struct RequestPartsTests {
    static let apiKey = "records-key+9b2e/secret"

    static let actions = """
        upstreams:
          records:
            url: { env: STUB_ORIGIN }
            query: { api_key: { env: RECORDS_KEY } }
            correlationHeader: X-Request-Id
            cache: { ttlSeconds: 60 }
        actions:
          record:
            inputs:
              id: { type: string, required: true, pattern: "^[a-z0-9]+$" }
              tenant: { type: string, required: true }
              region: { type: string, enum: [eu, us] }
            request:
              upstream: records
              path: "/records/{id}"
              headers: { X-Tenant: "{tenant}", X-Filter: "region={region}" }
            result: { record: $.result }
            outputs: { method: $.method }
        """

    func withService(_ body: (ServiceProcess, FastCGITestClient, UpstreamStub) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("actions.yaml")
        try Self.actions.write(toFile: file, atomically: true, encoding: .utf8)
        try await ServeTests().withService(.socket(environment: ["ACTIONS_FILE": file, "RECORDS_KEY": Self.apiKey]), body)
    }

    static func call(_ client: FastCGITestClient, _ body: String) async throws -> FastCGITestClient.Answer {
        try await onThread { try client.post("/data-action/record", headers: ServeTests.lookupHeaders, body: Array(body.utf8)) }
    }

    @Test("headers carry input values, the correlation id goes under the upstream's name, the API key in the query, encoded; the key is never shown")
    func partsReachTheUpstream() async throws {
        try await self.withService { process, client, stub in
            let answer = try await Self.call(client, #"{"id":"r1","tenant":"acme","region":"eu"}"#)
            #expect(answer.status == 200)
            let request = try #require(stub.requests.first)
            #expect(request.uri == "/records/r1?api_key=records-key%2B9b2e%2Fsecret")
            #expect(request.headers["x-tenant"] == "acme")
            #expect(request.headers["x-filter"] == "region=eu")
            #expect(request.headers["x-request-id"] == "e2e-1")
            // A header whose input was not sent is left out.
            #expect(try await Self.call(client, #"{"id":"r2","tenant":"acme"}"#).status == 200)
            #expect(stub.requests.last?.headers["x-filter"] == nil)
            #expect(!process.standardError.contains("records-key"))
        }
    }

    @Test("HTTP Basic from two settings; check-config lists the credentials and the query key redacted")
    func basicAuthAndRedaction() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("actions.yaml")
        try Self.actions.replacingOccurrences(
            of: "    correlationHeader: X-Request-Id\n",
            with:
                "    correlationHeader: X-Request-Id\n    auth: { basic: { username: { env: RECORDS_USER }, password: { env: RECORDS_PASSWORD } } }\n"
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let environment = ["ACTIONS_FILE": file, "RECORDS_KEY": Self.apiKey, "RECORDS_USER": "genesys", "RECORDS_PASSWORD": "pass-5e0c"]
        try await ServeTests().withService(.socket(environment: environment)) { process, client, stub in
            let answer = try await Self.call(client, #"{"id":"r1","tenant":"acme"}"#)
            #expect(answer.status == 200)
            // RFC 7617: base64 of "genesys:pass-5e0c".
            #expect(stub.requests.first?.headers["authorization"] == "Basic Z2VuZXN5czpwYXNzLTVlMGM=")
            #expect(!process.standardError.contains("pass-5e0c") && !process.standardError.contains("Z2VuZXN5czpwYXNzLTVlMGM"))
        }
        let stub = try await UpstreamStub()
        let check = try ServiceProcess(
            arguments: ["check-config"],
            environment: ServeTests.environment(stub, environment),
            workingDirectory: directory.path
        )
        #expect(try await check.waitForExit() == 0)
        try await stub.stop()
        for line in ["RECORDS_KEY=<redacted>", "RECORDS_USER=<redacted>", "RECORDS_PASSWORD=<redacted>"] {
            #expect(check.standardOutput.contains(line), "\(line) in \(check.standardOutput)")
        }
        #expect(!check.standardOutput.contains("pass-5e0c") && !check.standardOutput.contains("records-key"))
    }

    @Test("a value that would put a control character into a header answers 400 naming the input, and is not sent")
    func controlCharacterRefused() async throws {
        try await self.withService { _, client, stub in
            let answer = try await Self.call(client, #"{"id":"r1","tenant":"acme\r\nX-Admin: yes"}"#)
            #expect(answer.status == 400)
            #expect(
                answer.text
                    == #"{"errors":[{"message":"Input 'tenant' is not valid: it is sent in a header, which cannot hold control characters."}]}"#
            )
            #expect(stub.requests.isEmpty)
        }
    }

    @Test("the cache tells requests apart by the headers with input values in them")
    func cacheKeyHasHeaders() async throws {
        try await self.withService { _, client, stub in
            for tenant in ["acme", "acme", "beta"] {
                let answer = try await Self.call(client, #"{"id":"r1","tenant":"\#(tenant)"}"#)
                #expect(answer.status == 200)
            }
            #expect(stub.requests.map { $0.headers["x-tenant"] } == ["acme", "beta"])
        }
    }
}
