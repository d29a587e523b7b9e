import DataAction
import Foundation
import TestSupport
import Testing

/// The action `data-action export` writes, executed the way Genesys executes it (input
/// contract, templates, translation map, defaults, success template, success contract) against
/// the real service behind real nginx. Genesys would connect with TLS to the URL's host; here
/// the same request goes to nginx on loopback.
@Suite("Exported action executed as Genesys does")
struct GenesysExecutionTests {
    static let publicURL = "https://data-action.example.test/data-action/user-lookup"

    /// The action as the binary exports it for the stack's service (UPSTREAM_TIMEOUT_MS=1000).
    static func exportedAction(in directory: TemporaryDirectory) async throws -> GenesysAction {
        let export = try ServiceProcess(
            arguments: ["export", "--url-base", "https://data-action.example.test"],
            environment: ["UPSTREAM_TIMEOUT_MS": "1000"],
            workingDirectory: directory.path
        )
        #expect(try await export.waitForExit() == 0)
        #expect(!export.standardOutput.contains(ThroughNginxTests.secret))
        return try GenesysAction(importFile: Array(export.standardOutput.utf8))
    }

    /// Runs `body` with an executor for the exported action whose requests reach the stack's nginx.
    func withExecutor(
        credentials: [String: String] = ["sharedSecret": ThroughNginxTests.secret],
        organizationId: String = ThroughNginxTests.organizationId,
        _ body: (ThroughNginxTests.Stack, (String) async throws -> GenesysActionExecutor.Execution) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let action = try await Self.exportedAction(in: directory)
        try await ThroughNginxTests().withStack { stack in
            let executor = GenesysActionExecutor(action: action, credentials: credentials, organizationId: organizationId)
            let client = stack.client
            try await body(stack) { userId in
                try await executor.execute(input: ["userId": .string(userId)]) { request in
                    let url = try #require(URLComponents(string: request.url))
                    #expect(url.host == "data-action.example.test")
                    let answer = try await onThread {
                        try client.send(request.method, url.percentEncodedPath, headers: request.headers, body: request.body)
                    }
                    return .init(status: answer.status, body: answer.body)
                }
            }
        }
    }

    @Test("a found user: every output mapped, the request as Genesys builds it")
    func found() async throws {
        try await self.withExecutor { stack, execute in
            let execution = try await execute("1")
            #expect(
                try execution.result.get()
                    == .object([
                        "userFound": .bool(true), "userName": .string("Leanne Graham"), "userEmail": .string("Sincere@april.biz"),
                        "userPhone": .string("1-770-736-8031 x56442"),
                    ])
            )
            let request = try #require(execution.request)
            #expect(request.method == "POST")
            #expect(request.url == Self.publicURL)
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"userId":"1"}"#)
            #expect(request.headers["Authorization"] == "Bearer \(ThroughNginxTests.secret)")
            #expect(request.headers["Content-Type"] == "application/json")
            let correlationId = try #require(request.headers["ININ-Correlation-Id"])
            // The line is written before the answer, but reaches this process through a pipe.
            try await stack.service.waitForStandardError(containing: "correlationId=\(correlationId)", timeout: .seconds(10))
        }
    }

    @Test("a user not found: userFound false, the strings empty, still the Success path")
    func notFound() async throws {
        try await self.withExecutor { _, execute in
            let execution = try await execute("999")
            #expect(
                try execution.result.get()
                    == .object(["userFound": .bool(false), "userName": .string(""), "userEmail": .string(""), "userPhone": .string("")])
            )
        }
    }

    @Test("a directory record with null, missing or non-string fields: the defaults apply, the action succeeds")
    func nullAndMissingFields() async throws {
        try await self.withExecutor { _, execute in
            let nulls = try await execute(UpstreamStub.SpecialUser.nullFields)
            #expect(
                try nulls.result.get()
                    == .object(["userFound": .bool(true), "userName": .string(""), "userEmail": .string(""), "userPhone": .string("")])
            )
            let sparse = try await execute(UpstreamStub.SpecialUser.missingFields)
            #expect(
                try sparse.result.get()
                    == .object(["userFound": .bool(true), "userName": .string("Sparse Person"), "userEmail": .string(""), "userPhone": .string("")])
            )
        }
    }

    @Test("non-ASCII and quotes in a name arrive intact")
    func nonASCII() async throws {
        try await self.withExecutor { _, execute in
            let execution = try await execute(UpstreamStub.SpecialUser.nonASCII)
            let outputs = try execution.result.get().objectValue
            #expect(outputs?["userName"] == .string("Zoë Ångström 山田 \"quoted\""))
            #expect(outputs?["userEmail"] == .string("zoë@example.com"))
        }
    }

    @Test("an upstream 500 takes the Failure path (the service answers 502)")
    func upstreamFailure() async throws {
        try await self.withExecutor { _, execute in
            let execution = try await execute(UpstreamStub.SpecialUser.serverError)
            #expect(throws: GenesysActionExecutor.Failure.status(502)) { try execution.result.get() }
        }
    }

    @Test("a wrong credential (401) or another organisation (403) takes the Failure path")
    func refusedCallers() async throws {
        try await self.withExecutor(credentials: ["sharedSecret": "not-the-secret-0123456789"]) { _, execute in
            let execution = try await execute("1")
            #expect(throws: GenesysActionExecutor.Failure.status(401)) { try execution.result.get() }
        }
        try await self.withExecutor(organizationId: "00000000-0000-4000-8000-000000000000") { stack, execute in
            let execution = try await execute("1")
            #expect(throws: GenesysActionExecutor.Failure.status(403)) { try execution.result.get() }
            #expect(stack.stub.requests.isEmpty)
        }
    }
}
