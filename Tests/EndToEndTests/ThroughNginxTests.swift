import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The whole path Genesys takes: real nginx with the shipped deploy/nginx snippets, FastCGI
/// over a unix socket, the real binary, a real upstream on loopback.
@Suite("Through nginx", .timeLimit(.minutes(3)))
struct ThroughNginxTests {
    static let secret = "end-to-end-secret-0123456789"
    static let organizationId = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"

    /// The headers Genesys sends with a data action call.
    static func genesysHeaders(correlationId: String = UUID().uuidString) -> [String: String] {
        [
            "Authorization": "Bearer \(secret)",
            "Content-Type": "application/json",
            "ININ-Correlation-Id": correlationId,
            "ININ-Organization-Id": organizationId,
            "ININ-Home-Organization-Id": organizationId,
        ]
    }

    @Test("every contract row answers through nginx as the table says")
    func contractRows() async throws {
        try await self.withStack { stack in
            let rows: [(body: String, headers: [String: String], status: Int, contains: String)] = [
                (#"{"userId":"1"}"#, Self.genesysHeaders(), 200, #""userName":"Leanne Graham""#),
                (#"{"inputs":{"userId":"1"}}"#, Self.genesysHeaders(), 200, #""userFound":true"#),
                (#"{"userId":"999"}"#, Self.genesysHeaders(), 200, #""userFound":false"#),
                (#"{"userId":"1"}"#, Self.genesysHeaders().merging(["Authorization": "Bearer wrong-secret-0123456789"]) { $1 }, 401, "bearer token"),
                (
                    #"{"userId":"1"}"#, Self.genesysHeaders().merging(["ININ-Organization-Id": "00000000-0000-4000-8000-000000000000"]) { $1 }, 403,
                    "organization"
                ),
                (String(repeating: " ", count: 1001), Self.genesysHeaders(), 413, "larger than 1000 bytes"),
                ("", Self.genesysHeaders(), 400, "empty"),
                ("{not json", Self.genesysHeaders(), 400, "JSON object"),
                (#"{"inputs":[]}"#, Self.genesysHeaders(), 400, "'inputs'"),
                (#"{"userId":null}"#, Self.genesysHeaders(), 400, "Input 'userId' is required."),
                (#"{"userId":"../../etc/passwd"}"#, Self.genesysHeaders(), 400, "is not valid"),
                (#"{"userId":"error"}"#, Self.genesysHeaders(), 502, "answered with an error"),
                (#"{"userId":"notjson"}"#, Self.genesysHeaders(), 502, "invalid answer"),
                (#"{"userId":"reset"}"#, Self.genesysHeaders(), 502, "could not be reached"),
                (#"{"userId":"slow"}"#, Self.genesysHeaders(), 504, "in time"),
            ]
            for row in rows {
                let answer = try await stack.post(row.body, headers: row.headers)
                #expect(answer.status == row.status, "\(row.body.prefix(40))")
                #expect(answer.text.contains(row.contains), "\(row.body.prefix(40)): \(answer.text)")
                #expect(answer.headers["content-type"] == "application/json; charset=utf-8")
                #expect(answer.headers["cache-control"] == "no-store")
            }
            let client = stack.client
            let get = try await onThread { try client.send("GET", "/data-action/user-lookup") }
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
        }
    }

    @Test("the service started each of three ways answers through nginx", arguments: Start.allCases)
    func startedThreeWays(start: Start) async throws {
        try await self.withStack(start: start) { stack in
            let answer = try await stack.post(#"{"userId":"1"}"#)
            #expect(answer.status == 200)
            #expect(answer.text.contains(#""userName":"Leanne Graham""#))
        }
    }

    @Test("a caller outside the allowlist gets 403 from nginx and never reaches the service")
    func outsideAllowlist() async throws {
        try await self.withStack { stack in
            let answer = try await stack.post(#"{"userId":"1"}"#, from: "127.0.0.2")
            #expect(answer.status == 403)
            #expect(stack.stub.requests.isEmpty)
            #expect(!stack.service.standardError.contains("action=user-lookup"))
        }
    }

    @Test("a body over nginx's limit gets 413 from nginx")
    func overNginxLimit() async throws {
        try await self.withStack { stack in
            let answer = try await stack.post(String(repeating: "x", count: 70_000))
            #expect(answer.status == 413)
            #expect(!stack.service.standardError.contains("action=user-lookup"))
        }
    }

    @Test("/healthz answers from this host and is refused from outside")
    func health() async throws {
        try await self.withStack { stack in
            let client = stack.client
            let inside = try await onThread { try client.send("GET", "/healthz") }
            #expect(inside.status == 200)
            #expect(inside.text == #"{"status":"ok"}"#)
            let outside = try await onThread { try client.send("GET", "/healthz", from: "127.0.0.2") }
            #expect(outside.status == 403)
        }
    }

    @Test("the correlation id appears in nginx's access log and in the service's log")
    func correlationIdInBothLogs() async throws {
        try await self.withStack { stack in
            let correlationId = "corr-\(UUID().uuidString)"
            let answer = try await stack.post(#"{"userId":"1"}"#, headers: Self.genesysHeaders(correlationId: correlationId))
            #expect(answer.status == 200)
            // nginx writes the access log line just after the answer: wait for it.
            try await stack.nginx.waitForAccessLog(containing: "correlation=\(correlationId)")
            try await stack.service.waitForStandardError(containing: "correlationId=\(correlationId)", timeout: .seconds(10))
            #expect(!stack.nginx.accessLog.contains(Self.secret))
            #expect(!stack.service.standardError.contains(Self.secret))
        }
    }
}
