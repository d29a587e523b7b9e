import DataAction
import GenesysCloud
import JSON
import TestSupport
import Testing

/// The Genesys execution harness applies Genesys' documented rules, traps included, so an
/// action that would fail in Genesys fails here too. The answers are fixed bytes: what is
/// under test is the harness, not an endpoint.
@Suite("Genesys execution harness", .timeLimit(.minutes(3)))
struct GenesysHarnessTests {
    static let exported = GenesysActionExport(
        action: GenesysActionExportTests.userLookup,
        url: "https://host.example/data-action/user-lookup",
        name: "Look up user",
        timeoutSeconds: 10,
        credentialField: "sharedSecret"
    )

    static func action(_ document: JSONValue = exported.document) throws -> GenesysAction {
        try GenesysAction(importFile: document.serialized)
    }

    /// Executes `action` with userId 1 against a fixed answer.
    static func execute(_ action: GenesysAction, answer: String, status: Int = 200) async throws -> GenesysActionExecutor.Execution {
        let executor = GenesysActionExecutor(action: action, credentials: ["sharedSecret": "s3cret"], organizationId: "org")
        return try await executor.execute(input: ["userId": .string("1")]) { _ in .init(status: status, body: Array(answer.utf8)) }
    }

    @Test("JSONPath: members, quoted members and indexes resolve; a missing path gives nil; a null resolves to null")
    func jsonPath() throws {
        let document = try JSONValue.parse(Array(#"{"a":{"b c":[10,{"d":null}]}}"#.utf8))
        #expect(try JSONPathSubset.evaluate("$.a['b c'][0]", in: document) == .integer(10))
        #expect(try JSONPathSubset.evaluate(#"$["a"]["b c"][1].d"#, in: document) == .null)
        #expect(try JSONPathSubset.evaluate("$.a.missing", in: document) == nil)
        #expect(try JSONPathSubset.evaluate("$.a['b c'][5]", in: document) == nil)
        #expect(try JSONPathSubset.evaluate("$.a.b.c", in: document) == nil)
        #expect(throws: JSONPathSubset.Unsupported.self) { try JSONPathSubset.evaluate("$..d", in: document) }
        #expect(throws: JSONPathSubset.Unsupported.self) { try JSONPathSubset.evaluate("$.a[?(@.d)]", in: document) }
    }

    @Test("Velocity: a value replaces its reference; a null one renders as its own text, or nothing when quiet")
    func velocity() throws {
        let values = ["name": "\"Ann\"", "input.userId": "1"]
        let render = { (template: String) in try VelocityReferences.render(template) { values[$0] } }
        #expect(try render(#"{"n": ${name}, "id": "$input.userId"}"#) == #"{"n": "Ann", "id": "1"}"#)
        #expect(try render("a ${missing} b $missing c") == "a ${missing} b $missing c")
        #expect(try render("a $!{missing}b$!missing c") == "a b c")
        #expect(try render("price $5 and ${") == "price $5 and ${")
        #expect(throws: VelocityReferences.Unsupported.self) { try render("#if($name)x#end") }
    }

    @Test("JSON Schema draft-04: type, required, enum, additionalProperties, items and the rules; unknown keywords refused")
    func schema() throws {
        let schema = try JSONValue.parse(
            Array(
                #"{"type":"object","required":["a"],"additionalProperties":false,"properties":{"a":{"type":"integer"},"b":{"type":["string","null"],"enum":["x",null]},"c":{"type":"array","items":{"type":"number"}}}}"#
                    .utf8
            )
        )
        let valid = try JSONValue.parse(Array(#"{"a":2,"b":null,"c":[1,2.5]}"#.utf8))
        #expect(try JSONSchemaDraft04.violations(of: schema, by: valid).isEmpty)
        let invalid = try JSONValue.parse(Array(#"{"b":"y","c":[true],"d":1}"#.utf8))
        #expect(
            try JSONSchemaDraft04.violations(of: schema, by: invalid) == [
                "/a: required but missing", "/b: not one of the enum values", "/c/0: boolean is not number",
                "/d: not allowed (additionalProperties is false)",
            ]
        )
        #expect(try JSONSchemaDraft04.violations(of: schema, by: .object(["a": .number(1.5)])) == ["/a: number is not integer"])
        #expect(throws: JSONSchemaDraft04.Unsupported.self) {
            try JSONSchemaDraft04.violations(of: .object(["format": .string("email")]), by: .string("x"))
        }
        let rules = try JSONValue.parse(
            Array(
                ##"{"definitions":{"id":{"type":"string","pattern":"^[0-9]+$","maxLength":3}},"type":"object","minProperties":1,"properties":{"id":{"$ref":"#/definitions/id"},"n":{"type":"integer","minimum":1,"maximum":9},"v":{"oneOf":[{"type":"string"},{"type":"object"}]}}}"##
                    .utf8
            )
        )
        let good = try JSONValue.parse(Array(#"{"id":"12","n":5,"v":"x"}"#.utf8))
        #expect(try JSONSchemaDraft04.violations(of: rules, by: good).isEmpty)
        let bad = try JSONValue.parse(Array(#"{"id":"1234a","n":10,"v":1}"#.utf8))
        #expect(
            try JSONSchemaDraft04.violations(of: rules, by: bad) == [
                "/id: longer than 3", "/id: does not match ^[0-9]+$", "/n: above the maximum", "/v: matches 0 of the oneOf schemas, not exactly one",
            ]
        )
        #expect(try JSONSchemaDraft04.violations(of: rules, by: .object([:])) == ["/: fewer than 1 members"])
    }

    @Test("the exported action maps the service's answer; defaults fill what the service left out")
    func exportedMapping() async throws {
        let execution = try await Self.execute(try Self.action(), answer: #"{"outputs":{"userFound":true,"userName":"Ann"}}"#)
        #expect(
            try execution.result.get()
                == .object(["userFound": .bool(true), "userName": .string("Ann"), "userEmail": .string(""), "userPhone": .string("")])
        )
        let request = try #require(execution.request)
        #expect(request.headers["Authorization"] == "Bearer s3cret")
        #expect(request.body == Array(#"{"userId":"1"}"#.utf8))
    }

    @Test("trap: a null output skips its default and breaks the success template, so the action fails")
    func nullTrap() async throws {
        let execution = try await Self.execute(
            try Self.action(),
            answer: #"{"outputs":{"userFound":false,"userName":null,"userEmail":null,"userPhone":null}}"#
        )
        #expect(
            throws: GenesysActionExecutor.Failure.templateNotJSON(
                #"{"userFound": false, "userName": ${userName}, "userEmail": ${userEmail}, "userPhone": ${userPhone}}"#
            )
        ) {
            try execution.result.get()
        }
    }

    @Test("the tutorial's set-up (no translation map, ${rawResult}) succeeds with none of the outputs: Architect receives nothing")
    func tutorialSetUp() async throws {
        guard case .object(var document) = Self.exported.document, case .object(var config) = document["config"] else {
            Issue.record("the export is not an object")
            return
        }
        config["response"] = .object([
            "translationMap": .object([:]), "translationMapDefaults": .object([:]), "successTemplate": .string("${rawResult}"),
        ])
        document["config"] = .object(config)
        let execution = try await Self.execute(try Self.action(.object(document)), answer: #"{"outputs":{"userFound":true,"userName":"Ann"}}"#)
        let outputs = try #require(try execution.result.get().objectValue)
        #expect(outputs["userName"] == nil)
        #expect(outputs["userFound"] == nil)
    }

    @Test("the Failure path: a non-2xx status, a body that is not JSON, an input against the contract")
    func failurePath() async throws {
        let action = try Self.action()
        let error = try await Self.execute(action, answer: #"{"errors":[{"message":"x"}]}"#, status: 502)
        #expect(throws: GenesysActionExecutor.Failure.status(502)) { try error.result.get() }
        let html = try await Self.execute(action, answer: "<html>")
        #expect(throws: GenesysActionExecutor.Failure.notJSON) { try html.result.get() }
        let executor = GenesysActionExecutor(action: action, credentials: [:], organizationId: "org")
        let missing = try await executor.execute(input: ["userId": .integer(1)]) { _ in
            Issue.record("an input against the contract must not be sent")
            return .init(status: 200, body: [])
        }
        #expect(throws: GenesysActionExecutor.Failure.inputContract(["/userId: integer is not string"])) { try missing.result.get() }
    }

    @Test("a wrong output type fails the success contract")
    func outputContract() async throws {
        let execution = try await Self.execute(try Self.action(), answer: #"{"outputs":{"userFound":"yes"}}"#)
        #expect(throws: GenesysActionExecutor.Failure.outputContract(["/userFound: string is not boolean"])) { try execution.result.get() }
    }
}
