import DataAction
import JSON

/// A Terraform configuration in JSON syntax, read the way Terraform and the Genesys Cloud
/// provider (`mypurecloud/genesyscloud`) would: checked against the provider's documented
/// schema for the three resources a data action integration needs, its strings evaluated as
/// templates (`$${` is a literal `${`, `${var.NAME}` a variable), and each action turned into
/// what the provider would create.
public struct TerraformConfiguration: Sendable {
    /// An attribute's kind in the provider's schema.
    enum Kind: Sendable {
        case string, number, bool, stringMap
        /// A block list with at most one block.
        case block(required: Set<String>, optional: [String: Kind])
    }

    /// The documented schemas (docs/resources/integration_credential.md, integration.md,
    /// integration_action.md of terraform-provider-genesyscloud): required and optional.
    static let schemas: [String: (required: Set<String>, optional: [String: Kind])] = [
        "genesyscloud_integration_credential": (["credential_type_name"], ["name": .string, "fields": .stringMap, "credential_type_name": .string]),
        "genesyscloud_integration": (
            ["integration_type"],
            [
                "integration_type": .string, "intended_state": .string,
                "config": .block(
                    required: [],
                    optional: ["name": .string, "notes": .string, "properties": .string, "advanced": .string, "credentials": .stringMap]
                ),
            ]
        ),
        "genesyscloud_integration_action": (
            ["name", "category", "integration_id", "contract_input", "contract_output"],
            [
                "name": .string, "category": .string, "integration_id": .string, "contract_input": .string, "contract_output": .string,
                "secure": .bool, "config_timeout_seconds": .number,
                "config_request": .block(
                    required: ["request_type"],
                    optional: ["request_type": .string, "request_url_template": .string, "request_template": .string, "headers": .stringMap]
                ),
                "config_response": .block(
                    required: [],
                    optional: ["translation_map": .stringMap, "translation_map_defaults": .stringMap, "success_template": .string]
                ),
            ]
        ),
    ]

    public let document: [String: JSONValue]

    public init(_ bytes: [UInt8]) throws {
        guard let document = try JSONValue.parse(bytes).objectValue else { throw Problem("the configuration is not a JSON object") }
        self.document = document
    }

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The variables' defaults, with `given` over them.
    public func variables(_ given: [String: String]) -> [String: String] {
        var values: [String: String] = [:]
        for (name, variable) in self.document["variable"]?.objectValue ?? [:] {
            values[name] = variable.objectValue?["default"]?.stringValue
        }
        return values.merging(given) { $1 }
    }

    /// The resources of one type, by name.
    public func resources(_ type: String) -> [String: [String: JSONValue]] {
        (self.document["resource"]?.objectValue?[type]?.objectValue ?? [:]).compactMapValues(\.objectValue)
    }

    /// What breaks the provider's documented schema, or Terraform's rules for templates and
    /// references, one line each; empty when the configuration is valid.
    public func violations() -> [String] {
        var violations: [String] = []
        let topLevel: Set = ["terraform", "variable", "resource", "output"]
        for key in self.document.keys where !topLevel.contains(key) { violations.append("\(key): not a block this configuration uses") }
        for (name, variable) in self.document["variable"]?.objectValue ?? [:] {
            for key in variable.objectValue?.keys ?? [:].keys where !["description", "type", "default", "sensitive"].contains(key) {
                violations.append("variable.\(name).\(key): not a variable argument")
            }
        }
        var declared: Set<String> = Set((self.document["variable"]?.objectValue ?? [:]).keys.map { "var.\($0)" })
        for (type, instances) in self.document["resource"]?.objectValue ?? [:] {
            guard let schema = Self.schemas[type] else {
                violations.append("resource.\(type): not a resource this configuration should create")
                continue
            }
            for (name, body) in instances.objectValue ?? [:] {
                declared.insert("\(type).\(name).id")
                violations += Self.check(body, required: schema.required, optional: schema.optional, at: "resource.\(type).\(name)")
            }
        }
        Self.checkTemplates(.object(self.document), declared: declared, at: "", into: &violations)
        return violations.sorted()
    }

    private static func check(_ value: JSONValue, required: Set<String>, optional: [String: Kind], at place: String) -> [String] {
        guard let members = value.objectValue else { return ["\(place): not an object"] }
        var violations = required.subtracting(members.keys).sorted().map { "\(place).\($0): required but missing" }
        for (key, member) in members {
            guard let kind = optional[key] else {
                violations.append("\(place).\(key): not in the provider's schema")
                continue
            }
            switch (kind, member) {
            case (.string, .string), (.number, .integer), (.bool, .bool):
                break
            case (.stringMap, .object(let map)) where map.values.allSatisfy({ $0.stringValue != nil }):
                break
            case (.block(let required, let optional), .array(let blocks)) where blocks.count <= 1:
                violations += blocks.flatMap { Self.check($0, required: required, optional: optional, at: "\(place).\(key)") }
            default:
                violations.append("\(place).\(key): not of the schema's kind")
            }
        }
        return violations
    }

    /// Every `${` that is not escaped refers to something declared; every `%{` is escaped.
    private static func checkTemplates(_ value: JSONValue, declared: Set<String>, at place: String, into violations: inout [String]) {
        switch value {
        case .string(let text):
            for reference in Self.references(in: text) where !declared.contains(reference) {
                violations.append("\(place): '${\(reference)}' is not declared (an unescaped Genesys template?)")
            }
            if text.replacing("%%{", with: "").contains("%{") { violations.append("\(place): an unescaped '%{'") }
        case .object(let members):
            for (key, member) in members { Self.checkTemplates(member, declared: declared, at: "\(place).\(key)", into: &violations) }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                Self.checkTemplates(element, declared: declared, at: "\(place)[\(index)]", into: &violations)
            }
        case .null, .bool, .integer, .number:
            break
        }
    }

    /// The references `${…}` in a template, without the escaped `$${…}`.
    static func references(in text: String) -> [String] {
        var references: [String] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            let escaped = start.lowerBound > rest.startIndex && rest[rest.index(before: start.lowerBound)] == "$"
            rest = rest[start.upperBound...]
            guard !escaped, let end = rest.firstIndex(of: "}") else { continue }
            references.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return references
    }

    /// A string as Terraform evaluates it: `$${` and `%%{` become literal, `${var.NAME}` its value.
    static func evaluate(_ text: String, variables: [String: String]) throws -> String {
        var evaluated = text
        for reference in Self.references(in: text) {
            guard reference.hasPrefix("var."), let value = variables[String(reference.dropFirst(4))] else {
                throw Problem("'${\(reference)}' has no value here")
            }
            evaluated = evaluated.replacing("${\(reference)}", with: value)
        }
        return evaluated.replacing("$${", with: "${").replacing("%%{", with: "%{")
    }

    /// The action a `genesyscloud_integration_action` creates, as its import file would read.
    public func action(_ name: String, variables given: [String: String]) throws -> GenesysAction {
        guard let resource = self.resources("genesyscloud_integration_action")[name] else { throw Problem("no action \(name)") }
        let variables = self.variables(given)
        func text(_ value: JSONValue?) throws -> JSONValue {
            guard let value = value?.stringValue else { throw Problem("\(name): a string is missing") }
            return .string(try Self.evaluate(value, variables: variables))
        }
        func map(_ value: JSONValue?) throws -> JSONValue {
            .object(try (value?.objectValue ?? [:]).mapValues { try text($0) })
        }
        func block(_ key: String) throws -> [String: JSONValue] {
            guard case .array(let blocks)? = resource[key], let first = blocks.first?.objectValue else { throw Problem("\(name): no \(key)") }
            return first
        }
        let request = try block("config_request")
        let response = try block("config_response")
        let contract = { (key: String) throws -> JSONValue in
            guard case .string(let schema) = try text(resource[key]) else { throw Problem("\(name).\(key)") }
            return try JSONValue.parse(Array(schema.utf8))
        }
        let importFile = JSONValue.object([
            "name": try text(resource["name"]),
            "integrationType": .string("custom-rest-actions"),
            "actionType": .string("custom"),
            "secure": resource["secure"] ?? .bool(false),
            "config": .object([
                "request": .object([
                    "requestUrlTemplate": try text(request["request_url_template"]),
                    "requestType": try text(request["request_type"]),
                    "headers": try map(request["headers"]),
                    "requestTemplate": try text(request["request_template"]),
                ]),
                "response": .object([
                    "translationMap": try map(response["translation_map"]),
                    "translationMapDefaults": try map(response["translation_map_defaults"]),
                    "successTemplate": try text(response["success_template"]),
                ]),
                "timeoutSeconds": resource["config_timeout_seconds"] ?? .integer(60),
            ]),
            "contract": .object([
                "input": .object(["inputSchema": try contract("contract_input")]),
                "output": .object(["successSchema": try contract("contract_output")]),
            ]),
        ])
        return try GenesysAction(importFile: importFile.serialized)
    }
}
