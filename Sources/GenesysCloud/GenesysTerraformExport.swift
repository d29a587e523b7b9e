import Actions
import JSON

/// The Terraform (CX as Code, provider `mypurecloud/genesyscloud`) that creates this service's
/// integration in a Genesys Cloud organization: one User Defined credential holding the shared
/// secret, one Web Services Data Actions integration using it, and one action per declared
/// action, with the contracts, request and response of ``GenesysActionExport`` (the import
/// file): the same parts, from the same code.
///
/// Written in Terraform's JSON syntax (`.tf.json`): the service builds JSON values already, and
/// JSON strings need no quoting rules of their own; Terraform reads the file like HCL. Its
/// strings are still templates, so every `${` and `%{` of a Genesys template is written `$${`
/// and `%%{`; the references Terraform must resolve (variables, resource ids) are not.
public struct GenesysTerraformExport: Sendable {
    /// The actions, each as its import file would be made.
    public var actions: [GenesysActionExport]
    /// The base URL written as the `url_base` variable's default.
    public var urlBase: String

    public init(actions: [GenesysActionExport], urlBase: String) {
        self.actions = actions
        self.urlBase = urlBase
    }

    /// The file's name in an output directory.
    public static let fileName = "data-action.tf.json"

    /// A Genesys template as a Terraform string: its `${` and `%{` escaped.
    public static func escaped(_ template: String) -> String {
        template.replacing("${", with: "$${").replacing("%{", with: "%%{")
    }

    /// The resource name of an action: its name, which Terraform allows as it is.
    static func resourceName(of action: ActionDefinition) -> String { action.name }

    /// The configuration.
    public var document: JSONValue {
        let credentialField = self.actions.first?.credentialField ?? GenesysActionExport.defaultCredentialField
        var actionResources: [String: JSONValue] = [:]
        var actionIds: [String: JSONValue] = [:]
        for export in self.actions {
            let name = Self.resourceName(of: export.action)
            actionResources[name] = self.resource(for: export)
            actionIds[export.action.name] = .string("${genesyscloud_integration_action.\(name).id}")
        }
        return .object([
            "terraform": .object([
                // Pinned to the provider's major version: a 2.x may rename what this file uses.
                "required_providers": .object([
                    "genesyscloud": .object(["source": .string("mypurecloud/genesyscloud"), "version": .string("~> 1.0")])
                ])
            ]),
            "variable": .object([
                "shared_secret": .object([
                    "description": .string("The service's SHARED_SECRET: Genesys sends it as the bearer token."),
                    "type": .string("string"),
                    "sensitive": .bool(true),
                ]),
                "url_base": .object([
                    "description": .string("The service's public base URL: https://HOST, without a path."),
                    "type": .string("string"),
                    "default": .string(self.urlBase),
                ]),
                "integration_name": .object([
                    "description": .string("The Web Services Data Actions integration's name, which flows refer to."),
                    "type": .string("string"),
                    "default": .string("data-action"),
                ]),
                "credential_name": .object([
                    "description": .string("The User Defined credential's name."),
                    "type": .string("string"),
                    "default": .string("data-action shared secret"),
                ]),
            ]),
            "resource": .object([
                "genesyscloud_integration_credential": .object([
                    "data_action": .object([
                        "name": .string("${var.credential_name}"),
                        "credential_type_name": .string("userDefined"),
                        "fields": .object([credentialField: .string("${var.shared_secret}")]),
                    ])
                ]),
                "genesyscloud_integration": .object([
                    "data_action": .object([
                        "integration_type": .string("custom-rest-actions"),
                        "intended_state": .string("ENABLED"),
                        "config": .array([
                            .object([
                                "name": .string("${var.integration_name}"),
                                // The provider's key for the integration's credential, whatever its type.
                                "credentials": .object(["basicAuth": .string("${genesyscloud_integration_credential.data_action.id}")]),
                            ])
                        ]),
                    ])
                ]),
                "genesyscloud_integration_action": .object(actionResources),
            ]),
            "output": .object([
                "integration_id": .object(["value": .string("${genesyscloud_integration.data_action.id}")]),
                "credential_id": .object(["value": .string("${genesyscloud_integration_credential.data_action.id}")]),
                "action_ids": .object(["value": .object(actionIds)]),
            ]),
        ])
    }

    /// One `genesyscloud_integration_action`.
    private func resource(for export: GenesysActionExport) -> JSONValue {
        let escapedMap = { (map: [String: String]) in JSONValue.object(map.mapValues { .string(Self.escaped($0)) }) }
        return .object([
            "name": .string(Self.escaped(export.name)),
            "category": .string("${var.integration_name}"),
            "integration_id": .string("${genesyscloud_integration.data_action.id}"),
            "secure": .bool(false),
            "config_timeout_seconds": .integer(Int64(export.timeoutSeconds)),
            "contract_input": .string(Self.escaped(String(decoding: export.inputSchema.serialized, as: UTF8.self))),
            "contract_output": .string(Self.escaped(String(decoding: export.successSchema.serialized, as: UTF8.self))),
            "config_request": .array([
                .object([
                    "request_type": .string("POST"),
                    "request_url_template": .string("${var.url_base}" + Self.escaped(export.action.path)),
                    "request_template": .string(Self.escaped(GenesysActionExport.requestTemplate)),
                    "headers": escapedMap(export.requestHeaders),
                ])
            ]),
            "config_response": .array([
                .object([
                    "translation_map": escapedMap(export.translationMap),
                    "translation_map_defaults": escapedMap(export.translationMapDefaults),
                    "success_template": .string(Self.escaped(export.successTemplate)),
                ])
            ]),
        ])
    }
}
