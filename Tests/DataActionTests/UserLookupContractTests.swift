import Actions
import DataAction
import Foundation
import JSON
import TestSupport
import Testing

/// One test per row of the request contract (docs/CONTRACT.md), in the table's order, against a real
/// HTTP upstream on loopback.
@Suite("User lookup contract", .timeLimit(.minutes(3)))
struct UserLookupContractTests {
    @Test("a method other than POST answers 405 with Allow: POST")
    func methodNotAllowed() async throws {
        try await ServiceHarness.with { harness in
            for method in ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"] {
                let response = await harness.send(method: method, body: .complete([]))
                #expect(response.status == 405)
                #expect(response.header("Allow") == "POST")
                #expect(response.header("Cache-Control") == "no-store")
            }
            #expect(harness.stub.requests.isEmpty)
        }
    }

    @Test(
        "a missing or wrong bearer token answers 401 with WWW-Authenticate: Bearer",
        arguments: [
            nil, "", "Bearer", "Bearer ", "Bearer wrong-secret-value-123456", "Basic czNjcmV0LWZvci10ZXN0cy0wMTIzNDU2Nzg5",
            "s3cret-for-tests-0123456789", "Bearer s3cret-for-tests-012345678", "Bearer s3cret-for-tests-01234567890",
            "Bearer  s3cret-for-tests-0123456789", "Bearer\ts3cret-for-tests-0123456789", "Bearerx s3cret-for-tests-0123456789",
            "Beare s3cret-for-tests-0123456789",
        ]
    )
    func unauthorized(authorization: String?) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"1"}"#, authorization: authorization)
            #expect(response.status == 401)
            #expect(response.header("WWW-Authenticate") == "Bearer")
            #expect(response.errorMessage == "Missing or invalid bearer token.")
            #expect(harness.stub.requests.isEmpty)
            // The log tells a header that never arrived (a web server that drops it) from a wrong one.
            let line = try #require(harness.logs.all.last)
            if authorization == nil {
                #expect(
                    line.contains(
                        "detail=no Authorization header arrived; if the caller sent one, the web server did not pass it on (Apache: CGIPassAuth On)"
                    )
                )
            } else {
                #expect(line.contains("detail=the Authorization header is not Bearer with the shared secret"))
            }
        }
    }

    @Test("the previous secret is accepted during a rotation, and the scheme in any case")
    func rotationAndSchemeCase() async throws {
        try await ServiceHarness.with { harness in
            #expect(await harness.lookUp(#"{"userId":"1"}"#, authorization: "Bearer \(ServiceHarness.previousSecret)").status == 200)
            #expect(await harness.lookUp(#"{"userId":"1"}"#, authorization: "bearer \(ServiceHarness.secret)").status == 200)
            #expect(await harness.lookUp(#"{"userId":"1"}"#, authorization: " BEARER \(ServiceHarness.secret) \t").status == 200)
        }
    }

    @Test("with GENESYS_ORG_ID set, a missing or other ININ-Organization-Id answers 403")
    func organizationCheck() async throws {
        try await ServiceHarness.with(organizationId: ServiceHarness.organizationId) { harness in
            let missing = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(missing.status == 403)
            let other = await harness.lookUp(
                #"{"userId":"1"}"#,
                extraHeaders: ["ININ-Organization-Id": "00000000-0000-0000-0000-000000000000"]
            )
            #expect(other.status == 403)
            #expect(other.errorMessage == "This endpoint does not serve this Genesys Cloud organization.")
            let matching = await harness.lookUp(
                #"{"userId":"1"}"#,
                extraHeaders: ["ININ-Organization-Id": ServiceHarness.organizationId.uppercased()]
            )
            #expect(matching.status == 200)
        }
    }

    @Test("authentication is checked before the organization")
    func authenticationBeforeOrganization() async throws {
        try await ServiceHarness.with(organizationId: ServiceHarness.organizationId) { harness in
            #expect(await harness.lookUp(#"{"userId":"1"}"#, authorization: nil).status == 401)
        }
    }

    @Test("a body over the limit answers 413, whether the transport cut it or not")
    func bodyTooLarge() async throws {
        try await ServiceHarness.with(maxBodyBytes: 32) { harness in
            let cut = await harness.send(body: .tooLarge)
            #expect(cut.status == 413)
            #expect(cut.errorMessage == "Request body is larger than 32 bytes.")
            let long = await harness.lookUp(#"{"userId":"1","padding":"xxxxxxxxxxxxxxxxxxxxxxxx"}"#)
            #expect(long.status == 413)
            #expect(await harness.lookUp(#"{"userId":"1"}"#).status == 200)
        }
    }

    @Test("an empty body answers 400")
    func emptyBody() async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp("")
            #expect(response.status == 400)
            #expect(response.errorMessage?.hasPrefix("Request body is empty") == true)
        }
    }

    @Test(
        "a body that is not a JSON object answers 400",
        arguments: ["{", "not json", "[]", #"["userId"]"#, "42", #""1""#, "null", "true", #"{"userId":"1"} trailing"#]
    )
    func notAnObject(body: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(body)
            #expect(response.status == 400)
            #expect(response.errorMessage == "Request body must be a JSON object.")
        }
    }

    @Test("invalid UTF-8 answers 400")
    func invalidUTF8() async throws {
        try await ServiceHarness.with { harness in
            let bytes: [UInt8] = Array(#"{"userId":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
            let response = await harness.send(body: .complete(bytes))
            #expect(response.status == 400)
            #expect(response.errorMessage == "Request body must be a JSON object.")
        }
    }

    @Test("deeply nested JSON answers 400 instead of exhausting the stack")
    func deepNesting() async throws {
        try await ServiceHarness.with { harness in
            let depth = 30_000
            let body = #"{"userId":"1","x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let response = await harness.service.respond(
                to: DataActionRequest(
                    method: "POST",
                    path: "/data-action/user-lookup",
                    headers: ["Authorization": "Bearer \(ServiceHarness.secret)"],
                    body: .complete(Array(body.utf8))
                )
            )
            #expect(response.status == 400)
        }
    }

    @Test("'inputs' present but not an object answers 400", arguments: [#"{"inputs":"1"}"#, #"{"inputs":[]}"#, #"{"inputs":null}"#])
    func inputsNotObject(body: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(body)
            #expect(response.status == 400)
            #expect(response.errorMessage == "'inputs' must be a JSON object.")
        }
    }

    @Test(
        "a missing, null or empty userId answers 400 'Input 'userId' is required.'",
        arguments: ["{}", #"{"userId":null}"#, #"{"userId":""}"#, #"{"inputs":{}}"#, #"{"inputs":{"userId":""}}"#, #"{"user_id":"1"}"#]
    )
    func userIdRequired(body: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(body)
            #expect(response.status == 400)
            #expect(response.errorMessage == "Input 'userId' is required.")
        }
    }

    @Test(
        "a userId that is neither string nor integer answers 400",
        arguments: [#"{"userId":true}"#, #"{"userId":1.5}"#, #"{"userId":{"id":1}}"#, #"{"userId":[1]}"#, #"{"userId":12345678901234567890123}"#]
    )
    func userIdWrongType(body: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(body)
            #expect(response.status == 400)
            #expect(response.errorMessage == "Input 'userId' must be a string or an integer.")
            #expect(harness.stub.requests.isEmpty)
        }
    }

    @Test(
        "a userId that is not a safe path segment answers 400 and never reaches the upstream",
        arguments: [
            ".", "..", "../../etc/passwd", "a/b", "1?admin=1", "1#x", "1\u{0}", "1\n2", "1\r\n2", "1\u{7F}", String(repeating: "9", count: 129),
        ]
    )
    func userIdUnsafe(userId: String) async throws {
        try await ServiceHarness.with { harness in
            let body = String(decoding: JSONValue.object(["userId": .string(userId)]).serialized, as: UTF8.self)
            let response = await harness.lookUp(body)
            #expect(response.status == 400)
            #expect(response.errorMessage?.hasPrefix("Input 'userId' is not valid") == true)
            #expect(harness.stub.requests.isEmpty)
        }
    }

    @Test("a userId of 128 characters, the longest allowed, reaches the upstream as one segment")
    func longestUserId() async throws {
        try await ServiceHarness.with { harness in
            let userId = String(repeating: "u", count: 127) + "é"
            let response = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            #expect(response.status == 200)
            #expect(response.outputs == ["userFound": .bool(false)])
            #expect(harness.stub.requests.map(\.uri) == ["/users/" + String(repeating: "u", count: 127) + "%C3%A9"])
        }
    }

    @Test("a found user answers 200 with the outputs, from the flat body Genesys sends by default")
    func foundFlat() async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"1","orgId":"x","integrationId":"y"}"#)
            #expect(response.status == 200)
            #expect(
                response.outputs == [
                    "userFound": .bool(true), "userName": .string("Leanne Graham"),
                    "userEmail": .string("Sincere@april.biz"), "userPhone": .string("1-770-736-8031 x56442"),
                ]
            )
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("Cache-Control") == "no-store")
        }
    }

    @Test("the tutorial's envelope and an integer userId work too")
    func foundEnvelopeAndInteger() async throws {
        try await ServiceHarness.with { harness in
            let envelope = await harness.lookUp(#"{"inputs":{"userId":"1"},"context":{"a":1},"settings":{}}"#)
            #expect(envelope.outputs?["userFound"] == .bool(true))
            let integer = await harness.lookUp(#"{"userId":1}"#)
            #expect(integer.outputs?["userName"] == .string("Leanne Graham"))
            #expect(harness.stub.requests.map(\.uri) == ["/users/1", "/users/1"])
        }
    }

    @Test("the upstream request carries Accept, User-Agent, the upstream credential, and never Genesys' secret")
    func upstreamRequestHeaders() async throws {
        try await ServiceHarness.with(upstreamHeaders: ["Authorization: Token upstream-credential"]) { harness in
            _ = await harness.lookUp(#"{"userId":"1"}"#)
            let request = try #require(harness.stub.requests.first)
            #expect(request.headers["accept"] == "application/json")
            #expect(request.headers["user-agent"] == "data-action/\(DataActionVersion.current)")
            #expect(request.headers["authorization"] == "Token upstream-credential")
            #expect(!request.headers.values.contains { $0.contains(ServiceHarness.secret) })
        }
    }

    @Test(
        "the userId is percent-encoded as one path segment",
        arguments: [
            ("a b%c", "/users/a%20b%25c"), ("é", "/users/%C3%A9"), ("%2e%2e", "/users/%252e%252e"), (#"a\b"#, "/users/a%5Cb"),
            ("AZaz09-._~", "/users/AZaz09-._~"), ("-7", "/users/-7"),
        ]
    )
    func percentEncoding(userId: String, expectedURI: String) async throws {
        try await ServiceHarness.with { harness in
            let body = String(decoding: JSONValue.object(["userId": .string(userId)]).serialized, as: UTF8.self)
            let response = await harness.lookUp(body)
            #expect(response.status == 200)
            #expect(harness.stub.requests.map(\.uri) == [expectedURI])
        }
    }

    @Test("an upstream 404 answers 200 with userFound false and no other outputs")
    func notFound() async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"999"}"#)
            #expect(response.status == 200)
            #expect(String(decoding: response.body.serialized, as: UTF8.self) == #"{"outputs":{"userFound":false}}"#)
        }
    }

    @Test("fields that are null, missing or not strings are left out, never null; non-ASCII passes through")
    func fieldMapping() async throws {
        try await ServiceHarness.with { harness in
            let nulls = await harness.lookUp(#"{"userId":"nulls"}"#)
            #expect(nulls.outputs == ["userFound": .bool(true)])
            let sparse = await harness.lookUp(#"{"userId":"sparse"}"#)
            #expect(sparse.outputs == ["userFound": .bool(true), "userName": .string("Sparse Person")])
            let unicode = await harness.lookUp(#"{"userId":"unicode"}"#)
            #expect(unicode.outputs?["userName"] == .string("Zoë Ångström 山田 \"quoted\""))
            let text = String(decoding: unicode.body.serialized, as: UTF8.self)
            #expect(text.contains(#""userName":"Zoë Ångström 山田 \"quoted\"""#))
        }
    }

    @Test("an upstream status other than 2xx or 404 answers 502; redirects are not followed", arguments: ["error", "redirect"])
    func upstreamStatus(userId: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            #expect(response.status == 502)
            #expect(response.errorMessage == "The upstream answered with an error.")
            #expect(harness.stub.requests.count == 1)
        }
    }

    @Test("an upstream body that is not a JSON object, or over its limit, answers 502", arguments: ["notjson", "array", "huge"])
    func upstreamInvalidBody(userId: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            #expect(response.status == 502)
            #expect(response.errorMessage == "The upstream sent an invalid answer.")
        }
    }

    @Test("an upstream that misses the deadline answers 504")
    func upstreamTimeout() async throws {
        try await ServiceHarness.with(timeoutMilliseconds: 200) { harness in
            let response = await harness.lookUp(#"{"userId":"slow"}"#)
            #expect(response.status == 504)
            #expect(response.errorMessage == "The upstream did not answer in time.")
        }
    }

    @Test(
        "an upstream that resets or closes the connection without answering answers 502 at once, and is asked exactly once",
        arguments: [UpstreamStub.SpecialUser.reset, UpstreamStub.SpecialUser.closed]
    )
    func upstreamHangsUp(userId: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            #expect(response.status == 502)
            #expect(response.errorMessage == "The upstream could not be reached.")
            #expect(harness.stub.requests.count == 1, "not retried")
        }
    }

    @Test("an upstream that refuses connections answers 502")
    func upstreamRefused() async throws {
        let closedPort = try await ClosedPort.find()
        try await ServiceHarness.with(baseURL: "http://127.0.0.1:\(closedPort)/users") { harness in
            let response = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(response.status == 502)
            #expect(response.errorMessage == "The upstream could not be reached.")
        }
    }

    @Test("an open circuit answers 502 at once without asking the upstream; 504 when timeouts opened it")
    func circuitOpen() async throws {
        let breaker = CircuitBreakerSettings(failureThreshold: 2, coolDown: .seconds(3600))
        try await ServiceHarness.with(breaker: breaker) { harness in
            for _ in 0..<2 {
                #expect(await harness.lookUp(#"{"userId":"reset"}"#).status == 502)
            }
            let response = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(response.status == 502)
            #expect(response.errorMessage == "The upstream could not be reached.")
            #expect(response.header("Cache-Control") == "no-store")
            #expect(harness.stub.requests.count == 2, "the open circuit did not call the upstream")
            #expect(harness.logs.all.last?.contains("circuit open after repeated failures") == true)
        }
        try await ServiceHarness.with(timeoutMilliseconds: 200, breaker: breaker) { harness in
            for _ in 0..<2 {
                #expect(await harness.lookUp(#"{"userId":"slow"}"#).status == 504)
            }
            let response = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(response.status == 504)
            #expect(harness.stub.requests.count == 2)
        }
    }

    @Test("/healthz answers 200 without authentication or an upstream call; other methods 405")
    func health() async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.send(method: "GET", path: "/healthz", body: .complete([]), authorization: nil)
            #expect(response.status == 200)
            #expect(response.body == .object(["status": .string("ok")]))
            let post = await harness.send(method: "POST", path: "/healthz", body: .complete([]), authorization: nil)
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
            #expect(harness.stub.requests.isEmpty)
        }
    }

    @Test("any other path answers 404 with the JSON error body", arguments: ["/", "/data-action", "/data-action/user-lookup/", "/users/1"])
    func unknownPath(path: String) async throws {
        try await ServiceHarness.with { harness in
            let response = await harness.send(path: path, body: .complete(Array(#"{"userId":"1"}"#.utf8)))
            #expect(response.status == 404)
            #expect(response.errorMessage == "Not found.")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("Cache-Control") == "no-store")
        }
    }

    @Test("one log line per request with the correlation id and timings, never the secret or the body")
    func requestLog() async throws {
        try await ServiceHarness.with { harness in
            _ = await harness.lookUp(#"{"userId":"1","note":"private-body-text"}"#)
            _ = await harness.lookUp(#"{"userId":"1"}"#, authorization: "Bearer \(ServiceHarness.secret)x")
            let lines = harness.logs.all
            #expect(lines.count == 2)
            let found = try #require(lines.first)
            for field in ["correlationId=corr-1234", "outcome=found", "status=200", "upstreamStatus=200", "upstreamMs=", "totalMs="] {
                #expect(found.contains(field))
            }
            // Milliseconds with one decimal.
            for timing in ["upstreamMs", "totalMs"] {
                #expect(found.contains(try Regex(#"(^| )"# + timing + #"=[0-9]+\.[0-9]( |$)"#)), "\(timing) in \(found)")
            }
            #expect(lines.last?.contains("outcome=unauthorized") == true)
            #expect(!lines.joined().contains(ServiceHarness.secret))
            #expect(!lines.joined().contains("private-body-text"))
        }
    }

    /// Regression test for the request-path fuzzer's first find: the correlation id is logged
    /// as sent, so a caller could write the secret into the journal through it.
    @Test("a correlation id that carries a secret is not logged")
    func correlationIdWithSecretWithheld() async throws {
        try await ServiceHarness.with { harness in
            _ = await harness.lookUp(#"{"userId":"1"}"#, extraHeaders: ["ININ-Correlation-Id": "id-\(ServiceHarness.secret)-x"])
            _ = await harness.lookUp(#"{"userId":"1"}"#, authorization: nil, extraHeaders: ["ININ-Correlation-Id": ServiceHarness.secret])
            // The fuzzer's second find: control characters inside the secret, removed for the
            // log, put it back together.
            let secret = ServiceHarness.secret
            let split = String(secret.prefix(10)) + "\u{01}\u{00}\u{17}" + String(secret.dropFirst(10))
            _ = await harness.lookUp(#"{"userId":"1"}"#, extraHeaders: ["ININ-Correlation-Id": split])
            // Cut to 128 characters, the secret would leave its first part in the log.
            _ = await harness.lookUp(#"{"userId":"1"}"#, extraHeaders: ["ININ-Correlation-Id": String(repeating: "x", count: 120) + secret])
            let lines = harness.logs.all
            #expect(lines.count == 4)
            #expect(lines.allSatisfy { $0.contains("correlationId=(withheld: it contains a secret)") })
            #expect(!lines.joined().contains(ServiceHarness.secret))
            #expect(!lines.joined().contains(String(secret.prefix(8))))
        }
    }

    @Test("a correlation id with control characters cannot forge a log line")
    func correlationIdSanitised() async throws {
        try await ServiceHarness.with { harness in
            _ = await harness.lookUp(#"{"userId":"1"}"#, extraHeaders: ["ININ-Correlation-Id": "abc\ninfo forged line"])
            #expect(harness.logs.all.allSatisfy { !$0.contains("\n") })
        }
    }
}
