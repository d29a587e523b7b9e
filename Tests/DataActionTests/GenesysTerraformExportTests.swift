import Actions
import DataAction
import GenesysCloud
import JSON
import TestSupport
import Testing

/// The Terraform export: valid against the provider's documented schema, templates escaped, and
/// each action what the import file describes.
@Suite("Exported Terraform", .timeLimit(.minutes(3)))
struct GenesysTerraformExportTests {
    static func exports() throws -> [GenesysActionExport] {
        let file = try #require(ActionsFileTests.parse(try ActionsFileTests.text("deploy/actions.example.yaml")).file)
        return file.actions.map {
            GenesysActionExport(
                action: $0,
                url: "https://host.example" + $0.path,
                name: GenesysActionExport.defaultName(for: $0),
                timeoutSeconds: 10,
                credentialField: "sharedSecret"
            )
        }
    }

    static func configuration(_ document: JSONValue) throws -> TerraformConfiguration {
        try TerraformConfiguration(document.serialized)
    }

    @Test("the configuration has the provider's documented shape: one credential, one integration, an action per action")
    func shape() throws {
        let exports = try Self.exports()
        let configuration = try Self.configuration(GenesysTerraformExport(actions: exports, urlBase: "https://host.example").document)
        #expect(configuration.violations() == [])
        #expect(configuration.resources("genesyscloud_integration_credential").count == 1)
        #expect(configuration.resources("genesyscloud_integration").count == 1)
        #expect(Set(configuration.resources("genesyscloud_integration_action").keys) == Set(exports.map(\.action.name)))
        let credential = try #require(configuration.resources("genesyscloud_integration_credential")["data_action"])
        #expect(credential["credential_type_name"] == .string("userDefined"))
        #expect(credential["fields"] == .object(["sharedSecret": .string("${var.shared_secret}")]))
        let secret = try #require(configuration.document["variable"]?.objectValue?["shared_secret"]?.objectValue)
        #expect(secret["sensitive"] == .bool(true))
        #expect(secret["default"] == nil)
        let integration = try #require(configuration.resources("genesyscloud_integration")["data_action"])
        #expect(integration["integration_type"] == .string("custom-rest-actions"))
        #expect(integration["intended_state"] == .string("ENABLED"))
        #expect(Set(configuration.document["output"]?.objectValue?.keys.map { $0 } ?? []) == ["integration_id", "credential_id", "action_ids"])
    }

    @Test("a name with ${ is escaped like every other string, and the provider is pinned to its major version")
    func nameEscapedProviderPinned() throws {
        var export = try #require(try Self.exports().first)
        export.name = "Look up ${caller} %{x}"
        let document = GenesysTerraformExport(actions: [export], urlBase: "https://host.example").document
        let resource = try #require(try Self.configuration(document).resources("genesyscloud_integration_action")[export.action.name])
        #expect(resource["name"] == .string("Look up $${caller} %%{x}"))
        let provider = document.objectValue?["terraform"]?.objectValue?["required_providers"]?.objectValue?["genesyscloud"]?.objectValue
        #expect(provider?["version"] == .string("~> 1.0"))
        #expect(try Self.configuration(document).violations() == [])
    }

    @Test("each action resource creates exactly the import file's action")
    func sameAsImport() throws {
        let exports = try Self.exports()
        let configuration = try Self.configuration(GenesysTerraformExport(actions: exports, urlBase: "https://host.example").document)
        for export in exports {
            let imported = try GenesysAction(importFile: export.document.serialized)
            #expect(try configuration.action(export.action.name, variables: [:]) == imported)
        }
        let elsewhere = try configuration.action("account-balance", variables: ["url_base": "https://test.example"])
        #expect(elsewhere.requestURLTemplate == "https://test.example/data-action/account-balance")
    }

    @Test("the check catches what Terraform would refuse or misread")
    func violations() throws {
        let good = GenesysTerraformExport(actions: try Self.exports(), urlBase: "https://host.example").document
        guard case .object(var document) = good, case .object(var resources)? = document["resource"],
            case .object(var actions)? = resources["genesyscloud_integration_action"], case .object(var action)? = actions["create-callback"]
        else {
            Issue.record("not the expected shape")
            return
        }
        action["success_template"] = .string("{\"a\": ${ticketId}}")
        action["request_type"] = .string("POST")
        action.removeValue(forKey: "contract_output")
        actions["create-callback"] = .object(action)
        resources["genesyscloud_integration_action"] = .object(actions)
        document["resource"] = .object(resources)
        #expect(
            try Self.configuration(.object(document)).violations()
                == [
                    "resource.genesyscloud_integration_action.create-callback.contract_output: required but missing",
                    "resource.genesyscloud_integration_action.create-callback.request_type: not in the provider's schema",
                    "resource.genesyscloud_integration_action.create-callback.success_template: not in the provider's schema",
                    ".resource.genesyscloud_integration_action.create-callback.success_template: '${ticketId}' is not declared (an unescaped Genesys template?)",
                ].sorted()
        )
        #expect(GenesysTerraformExport.escaped("${a} %{b} $x") == "$${a} %%{b} $x")
    }
}
