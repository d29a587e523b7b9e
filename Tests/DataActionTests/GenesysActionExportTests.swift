import Actions
import DataAction
import GenesysCloud
import JSON
import TestSupport
import Testing

@Suite("Exported Genesys action", .timeLimit(.minutes(3)))
struct GenesysActionExportTests {
    /// The built-in user lookup.
    static let userLookup = ActionsFile.builtIn(upstream: UpstreamDefinition(name: "users", url: .literal("http://127.0.0.1/users"))).actions[0]

    static func export(
        url: String = "https://host.example/data-action/user-lookup",
        timeoutSeconds: Int = 10,
        field: String = "sharedSecret"
    )
        -> GenesysActionExport
    {
        GenesysActionExport(action: Self.userLookup, url: url, name: "Look up user", timeoutSeconds: timeoutSeconds, credentialField: field)
    }

    @Test("the file has the shape Genesys imports, with the contracts and request the service answers to")
    func shape() throws {
        let text = Self.export().document.prettySerialized
        let action = try GenesysAction(importFile: Array(text.utf8))
        #expect(action.name == "Look up user")
        #expect(action.requestType == "POST")
        #expect(action.requestURLTemplate == "https://host.example/data-action/user-lookup")
        #expect(action.requestTemplate == "${input.rawRequest}")
        #expect(action.headerTemplates == ["Authorization": "Bearer ${credentials.sharedSecret}", "Content-Type": "application/json"])
        #expect(action.timeoutSeconds == 10)
        #expect(action.inputSchema.objectValue?["required"] == .array([.string("userId")]))
        let userId = action.inputSchema.objectValue?["properties"]?.objectValue?["userId"]?.objectValue
        #expect(userId?["type"] == .string("string"))
        #expect(userId?["maxLength"] == .integer(128))
        #expect(userId?["pattern"] == .string(#"^[^/?#\u0000-\u001F\u007F-\u009F]+$"#))
        #expect(userId?["title"] != nil && userId?["description"] != nil)
        let outputs = try #require(action.successSchema.objectValue?["properties"]?.objectValue)
        #expect(
            outputs.mapValues { $0.objectValue?["type"] } == [
                "userFound": .string("boolean"), "userName": .string("string"), "userEmail": .string("string"), "userPhone": .string("string"),
            ]
        )
        #expect(outputs.values.allSatisfy { $0.objectValue?["title"]?.stringValue?.isEmpty == false })
        #expect(Set(action.translationMap.keys) == Set(outputs.keys))
        #expect(Set(action.translationMapDefaults.keys) == Set(outputs.keys))
        #expect(try JSONValue.parse(Array(text.utf8)) == Self.export().document)
    }

    @Test("an array output is an array of its items in the contract, [] by default, and stays an array through the success template")
    func arrayOutput() async throws {
        let yaml = """
            upstreams: { shop: { url: "https://shop.example" } }
            actions:
              order:
                inputs: { number: { type: integer, required: true } }
                request: { upstream: shop, path: "/orders/{number}" }
                outputs: { orderFound: found, itemTitles: { path: "$.line_items[*].title", type: array, items: string, description: Titles } }
            """
        let action = try #require(ActionsFile.parse(yaml: yaml, source: "test.yaml", defaults: .init()).file?.actions.first)
        let export = GenesysActionExport(
            action: action,
            url: "https://host.example/data-action/order",
            name: "Order",
            timeoutSeconds: 10,
            credentialField: "s"
        )
        let genesys = try GenesysAction(importFile: Array(export.document.prettySerialized.utf8))
        #expect(
            genesys.successSchema.objectValue?["properties"]?.objectValue?["itemTitles"]
                == .object(["type": "array", "items": .object(["type": "string"]), "title": "itemTitles", "description": "Titles"])
        )
        #expect(genesys.translationMap["itemTitles"] == "$.outputs.itemTitles")
        #expect(genesys.translationMapDefaults["itemTitles"] == "[]")
        let executor = GenesysActionExecutor(action: genesys, credentials: ["s": "x"], organizationId: "o")
        for (answer, titles) in [
            (#"{"outputs":{"orderFound":true,"itemTitles":["Mug","Tea"]}}"#, ["Mug", "Tea"] as JSONValue),
            (#"{"outputs":{"orderFound":false}}"#, []),
        ] {
            let execution = try await executor.execute(input: ["number": 1001]) { _ in .init(status: 200, body: Array(answer.utf8)) }
            #expect(try execution.result.get().objectValue?["itemTitles"] == titles)
        }
    }

    @Test("the default timeout stays above the upstream timeout and within Genesys' 60 seconds")
    func defaultTimeout() {
        #expect(GenesysActionExport.defaultTimeoutSeconds(upstreamTimeoutMilliseconds: 5000) == 10)
        #expect(GenesysActionExport.defaultTimeoutSeconds(upstreamTimeoutMilliseconds: 1200) == 7)
        #expect(GenesysActionExport.defaultTimeoutSeconds(upstreamTimeoutMilliseconds: 58_000) == 60)
    }

    @Test("unusable settings are refused, one line each")
    func problems() {
        #expect(Self.export().problems(upstreamTimeoutMilliseconds: 5000).isEmpty)
        #expect(Self.export(url: "http://host/x").problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(url: "https://host/${input.userId}").problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(url: "host/x").problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(timeoutSeconds: 61).problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(timeoutSeconds: 0).problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(timeoutSeconds: 5).problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(field: "shared.secret").problems(upstreamTimeoutMilliseconds: 5000).count == 1)
        #expect(Self.export(url: "ftp://x", timeoutSeconds: 3, field: "").problems(upstreamTimeoutMilliseconds: 5000).count == 3)
    }
}
