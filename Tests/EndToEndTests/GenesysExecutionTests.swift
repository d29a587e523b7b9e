import DataAction
import Foundation
import JSON
import Synchronization
import TestSupport
import Testing

/// The action `data-action export` writes, executed the way Genesys executes it (input
/// contract, templates, translation map, defaults, success template, success contract) against
/// the real service behind real nginx. Genesys would connect with TLS to the URL's host; here
/// the same request goes to nginx on loopback.
@Suite("Exported action executed as Genesys does", .timeLimit(.minutes(5)))
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

    @Test("an upstream record with null, missing or non-string fields: the defaults apply, the action succeeds")
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

    /// One action of a sample file and the inputs it is executed with: a record found, none
    /// found, a record with missing, null or wrongly typed fields, and an upstream failure.
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let action: String
        /// The output that says whether a record was found.
        let foundOutput: String
        let found: [String: JSONValue]
        let notFound: [String: JSONValue]
        let sparse: [String: JSONValue]
        let failure: [String: JSONValue]

        var testDescription: String { "\(self.action) (\(self.file))" }
    }

    static let cases = [
        Case(
            file: "deploy/demo/actions.yaml",
            action: "user-lookup",
            foundOutput: "userFound",
            found: ["userId": "1"],
            notFound: ["userId": "999"],
            sparse: ["userId": "nulls"],
            failure: ["userId": "error"]
        ),
        Case(
            file: "deploy/demo/actions.yaml",
            action: "user-by-email",
            foundOutput: "userFound",
            found: ["email": "Sincere@april.biz"],
            notFound: ["email": "nobody@example.com"],
            sparse: ["email": "sparse0001@example.com"],
            failure: ["email": "error0500@example.com"]
        ),
        Case(
            file: "deploy/actions.example.yaml",
            action: "customer-by-phone",
            foundOutput: "customerFound",
            found: ["phone": "+15551234567"],
            notFound: ["phone": "+15559999999"],
            sparse: ["phone": "+15550000001"],
            failure: ["phone": "+15550000500"]
        ),
        Case(
            file: "deploy/actions.example.yaml",
            action: "account-balance",
            foundOutput: "accountFound",
            found: ["accountId": 4711],
            notFound: ["accountId": 404],
            sparse: ["accountId": 10001],
            failure: ["accountId": 10500]
        ),
        Case(
            file: "deploy/actions.example.yaml",
            action: "add-ticket-note",
            foundOutput: "noteAdded",
            found: ["ticketId": "t-42", "note": "Called back, fixed."],
            notFound: ["ticketId": "t-404", "note": "x"],
            sparse: ["ticketId": "t-1", "note": "x"],
            failure: ["ticketId": "t-500", "note": "x"]
        ),
        Case(
            file: "deploy/actions.example.yaml",
            action: "create-callback",
            foundOutput: "ticketCreated",
            found: ["phone": "+15551234567", "consent": true, "priority": "high"],
            notFound: ["phone": "+15550000404", "consent": false],
            sparse: ["phone": "+15550000001", "consent": true],
            failure: ["phone": "+15550000500", "consent": true]
        ),
    ]

    @Test("every exported action of the sample files executes as Genesys does: found, not found, wrong fields, failure", arguments: cases)
    func everyExportedAction(_ example: Case) async throws {
        try await Self.executeEveryWay(example, actionsFile: NginxProcess.repositoryRoot + "/" + example.file)
    }

    @Test("the README's 'Add your own action', followed as written, gives an action that executes as Genesys does")
    func readmeWalkthrough() async throws {
        let readme = try String(contentsOfFile: NginxProcess.repositoryRoot + "/README.md", encoding: .utf8)
        let rest = try #require(readme.components(separatedBy: "### Add your own action").dropFirst().first)
        // Up to the next section.
        let section = rest.components(separatedBy: "\n## ")[0]
        // The section's YAML blocks, in order: the upstream, then the action.
        let blocks = section.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        try #require(blocks.count == 2)
        let unindented = blocks.map { block in
            block.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("   ") ? String($0.dropFirst(3)) : String($0) }
                .joined(separator: "\n")
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("actions.yaml")
        // The upstream's URL is where the stub plays the ticket system.
        let yaml =
            "upstreams:\n" + unindented[0].replacingOccurrences(of: "https://tickets.internal.example/api", with: "{ env: TICKETING_URL }")
            + "actions:\n" + unindented[1]
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let walkthrough = Case(
            file: "README.md",
            action: "create-callback",
            foundOutput: "ticketCreated",
            found: ["phone": "+15551234567", "consent": true],
            notFound: ["phone": "+15550000404", "consent": false],
            sparse: ["phone": "+15550000001", "consent": true],
            failure: ["phone": "+15550000500", "consent": true]
        )
        try await Self.executeEveryWay(walkthrough, actionsFile: file)
    }

    @Test(
        "what the Terraform export would create executes as Genesys does, and is the import file's action",
        arguments: cases.filter { $0.file == "deploy/demo/actions.yaml" }
    )
    func terraformExport(_ example: Case) async throws {
        try await Self.executeEveryWay(example, actionsFile: NginxProcess.repositoryRoot + "/" + example.file, format: "terraform")
    }

    /// The actions of `actionsFile` as the binary exports them, by name: `format` genesys, the
    /// import files; terraform, what the configuration's action resources create, checked to be
    /// the import files' actions.
    static func exportedActions(_ actionsFile: String, format: String = "genesys") async throws -> [String: GenesysAction] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func export(_ format: String) async throws {
            let process = try ServiceProcess(
                arguments: [
                    "export", "--actions", actionsFile, "--url-base", "https://data-action.example.test", "--format", format,
                    "--output", directory.file(format) + "/",
                ],
                environment: ["UPSTREAM_TIMEOUT_MS": "1000"],
                workingDirectory: directory.path
            )
            #expect(try await process.waitForExit() == 0, "\(process.standardError)")
        }
        try await export("genesys")
        var actions: [String: GenesysAction] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.file("genesys")) where name.hasSuffix(".json") {
            let imported = try GenesysAction(importFile: Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("genesys/\(name)")))))
            actions[String(name.dropLast(5))] = imported
        }
        guard format == "terraform" else { return actions }
        try await export("terraform")
        let configuration = try TerraformConfiguration(
            Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("terraform/data-action.tf.json"))))
        )
        #expect(configuration.violations() == [])
        for (name, imported) in actions {
            let created = try configuration.action(name, variables: [:])
            #expect(created == imported, "the Terraform action \(name) is the import file's")
            actions[name] = created
        }
        return actions
    }

    /// Executes `action` with `input` as Genesys does against the stack's nginx: what Genesys
    /// made of the answer, and the service's own outputs.
    static func execute(
        _ action: GenesysAction,
        _ input: [String: JSONValue],
        on stack: ThroughNginxTests.Stack
    ) async throws -> (result: Result<JSONValue, GenesysActionExecutor.Failure>, outputs: [String: JSONValue]) {
        let executor = GenesysActionExecutor(
            action: action,
            credentials: ["sharedSecret": ThroughNginxTests.secret],
            organizationId: ThroughNginxTests.organizationId
        )
        let client = stack.client
        let answered = Mutex<[UInt8]>([])
        let execution = try await executor.execute(input: input) { request in
            let url = try #require(URLComponents(string: request.url))
            let answer = try await onThread {
                try client.send(request.method, url.percentEncodedPath, headers: request.headers, body: request.body)
            }
            answered.withLock { $0 = answer.body }
            return .init(status: answer.status, body: answer.body)
        }
        let body = answered.withLock { $0 }
        return (execution.result, (try? JSONValue.parse(body))?.objectValue?["outputs"]?.objectValue ?? [:])
    }

    /// Exports `example`'s action from `actionsFile` with the binary in `format`, and executes it
    /// as Genesys does against the service serving that file behind nginx, every way a case names.
    static func executeEveryWay(_ example: Case, actionsFile: String, format: String = "genesys") async throws {
        let action = try #require(try await Self.exportedActions(actionsFile, format: format)[example.action])
        let defaults = try action.translationMapDefaults.mapValues { try JSONValue.parse(Array($0.utf8)) }
        let settings = { (stub: UpstreamStub) in
            [
                "ACTIONS_FILE": actionsFile, "USERS_API_URL": stub.origin, "CRM_URL": stub.origin, "TICKETING_URL": stub.origin,
                "CRM_AUTHORIZATION": "Token crm-credential", "TICKETING_AUTHORIZATION": "Token ticketing-credential",
                "HELPDESK_URL": stub.origin, "HELPDESK_TOKEN_URL": stub.origin + "/oauth2/token",
                "HELPDESK_CLIENT_ID": UpstreamStub.oauthClient.id, "HELPDESK_CLIENT_SECRET": UpstreamStub.oauthClient.secret,
            ]
        }
        try await ThroughNginxTests().withStack(environment: settings) { stack in
            func execute(_ input: [String: JSONValue]) async throws -> (Result<JSONValue, GenesysActionExecutor.Failure>, [String: JSONValue]) {
                try await Self.execute(action, input, on: stack)
            }

            let (found, foundOutputs) = try await execute(example.found)
            #expect(try found.get() == .object(defaults.merging(foundOutputs) { $1 }))
            #expect(foundOutputs[example.foundOutput] == .bool(true))
            #expect(foundOutputs.count == defaults.count, "every output has a value: \(foundOutputs)")

            let (notFound, notFoundOutputs) = try await execute(example.notFound)
            #expect(notFoundOutputs == [example.foundOutput: .bool(false)])
            #expect(try notFound.get() == .object(defaults))

            let (sparse, sparseOutputs) = try await execute(example.sparse)
            #expect(sparseOutputs[example.foundOutput] == .bool(true))
            #expect(sparseOutputs.count < defaults.count, "missing, null and wrongly typed fields are left out: \(sparseOutputs)")
            #expect(try sparse.get() == .object(defaults.merging(sparseOutputs) { $1 }))

            let (failure, _) = try await execute(example.failure)
            #expect(throws: GenesysActionExecutor.Failure.status(502)) { try failure.get() }

            let (wrongType, _) = try await execute(example.found.mapValues { _ in .array([]) })
            #expect(throws: GenesysActionExecutor.Failure.self) { try wrongType.get() }
        }
    }
}
