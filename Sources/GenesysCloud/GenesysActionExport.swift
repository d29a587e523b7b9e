import Actions
import FoundationEssentials
import JSON

/// The Genesys Cloud action that calls one of this service's actions: the JSON file that
/// Admin > Integrations > Actions > Import reads for a Web Services Data Actions integration.
///
/// Everything in it comes from the action's definition, the one the service answers with:
/// the input contract (types and rules), the output contract, and a translation map that takes
/// each output out of the service's `{"outputs": {…}}` envelope with a default per type for
/// when the service left it out. The action sends Genesys' default request (the flat input
/// object, `${input.rawRequest}`) with the shared secret taken from a User Defined credential
/// field, so the file never holds a secret. The service never answers `null` for an output,
/// so neither Genesys trap applies: a null skips its default, and a null `${key}` renders as
/// literal text that breaks the JSON.
public struct GenesysActionExport: Sendable {
    /// The User Defined credential field that holds the shared secret, when not given.
    public static let defaultCredentialField = "sharedSecret"
    /// How far the action's timeout stays above the upstream timeout by default, in seconds:
    /// room for nginx, the FastCGI hop and Genesys' own connection set-up.
    public static let defaultTimeoutMarginSeconds = 5

    /// The action exported.
    public var action: ActionDefinition
    /// The service's public URL of the action, e.g. `https://HOST/data-action/user-lookup`.
    public var url: String
    /// The action's name as it appears in Architect.
    public var name: String
    /// How long Genesys waits before taking the action's Timeout path.
    public var timeoutSeconds: Int
    /// The User Defined credential field whose value is the shared secret.
    public var credentialField: String

    /// Creates an export; ``problems(upstreamTimeoutMilliseconds:)`` says whether it is usable.
    public init(action: ActionDefinition, url: String, name: String, timeoutSeconds: Int, credentialField: String) {
        self.action = action
        self.url = url
        self.name = name
        self.timeoutSeconds = timeoutSeconds
        self.credentialField = credentialField
    }

    /// The action's name in Genesys when `--name` is not given: its title, marked as this
    /// service's.
    public static func defaultName(for action: ActionDefinition) -> String {
        "\(action.title) (data-action)"
    }

    /// The default action timeout for a service whose upstream timeout is the one given: the
    /// upstream timeout rounded up plus ``defaultTimeoutMarginSeconds``, within Genesys' 60.
    public static func defaultTimeoutSeconds(upstreamTimeoutMilliseconds: Int) -> Int {
        min(60, (upstreamTimeoutMilliseconds + 999) / 1000 + Self.defaultTimeoutMarginSeconds)
    }

    /// What stops this export from working, one line each; empty when it is usable.
    ///
    /// Genesys needs an https URL with a publicly trusted certificate; the URL, header and
    /// body templates are Velocity, so `$` and `#` in the URL would be read as template
    /// syntax. The timeout must lie in Genesys' 1–60 seconds and above the service's upstream
    /// timeout, or a slow upstream takes the Timeout path instead of the service's clear 504.
    public func problems(upstreamTimeoutMilliseconds: Int) -> [String] {
        var problems: [String] = []
        if let components = URLComponents(string: self.url), components.scheme == "https",
            let host = components.host, !host.isEmpty
        {
            if self.url.contains(where: { $0 == "$" || $0 == "#" || $0.isWhitespace }) {
                problems.append("--url-base must not contain '$', '#' or spaces (Genesys reads the URL as a Velocity template)")
            }
        } else {
            problems.append("--url-base must be an absolute https URL such as https://HOST, not '\(self.url)'")
        }
        if self.name.allSatisfy(\.isWhitespace) || self.name.contains(where: \.isNewline) {
            problems.append("--name must be one non-empty line")
        }
        if !(1...60).contains(self.timeoutSeconds) {
            problems.append("--timeout-seconds must be 1–60 (Genesys' limits), not \(self.timeoutSeconds)")
        } else if self.timeoutSeconds * 1000 <= upstreamTimeoutMilliseconds {
            problems.append(
                "--timeout-seconds \(self.timeoutSeconds) must be above the upstream timeout of \(self.action.name) "
                    + "(\(upstreamTimeoutMilliseconds) ms), or a slow upstream takes the Timeout path instead of the service's 504"
            )
        }
        let isIdentifier =
            self.credentialField.first.map { $0.isASCII && $0.isLetter } == true
            && self.credentialField.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if !isIdentifier {
            problems.append("--credential-field must be a letter followed by letters, digits or '_', not '\(self.credentialField)'")
        }
        return problems
    }

    /// What Genesys uses for an output the service left out: the found output is false, a
    /// string empty, a number zero, a list empty.
    static func defaultJSON(for output: ActionOutput) -> String {
        if case .list = output.source { return "[]" }
        return switch output.type {
        case .string: #""""#
        case .integer, .number: "0"
        case .boolean: "false"
        }
    }

    /// An output's JSON Schema: its type, or an array of its type (a collection in Architect).
    static func schema(of output: ActionOutput) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string(output.type.rawValue), "title": .string(output.name)]
        if case .list = output.source {
            schema["type"] = .string("array")
            schema["items"] = .object(["type": .string(output.type.rawValue)])
        }
        schema["description"] = output.description.map(JSONValue.string)
        return .object(schema)
    }

    /// An input's JSON Schema (draft-04): its type and rules.
    static func schema(of input: ActionInput) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string(input.type.rawValue), "title": .string(input.name)]
        schema["description"] = input.description.map(JSONValue.string)
        schema["pattern"] = input.pattern.map { .string($0.source) }
        schema["maxLength"] = input.maxLength.map { .integer(Int64($0)) }
        schema["enum"] = input.allowed.map(JSONValue.array)
        schema["minimum"] = input.minimum.map(Self.number)
        schema["maximum"] = input.maximum.map(Self.number)
        return .object(schema)
    }

    private static func number(_ value: Double) -> JSONValue {
        Int64(exactly: value).map(JSONValue.integer) ?? .number(value)
    }

    /// The input contract: the inputs' types and rules (JSON Schema draft-04).
    public var inputSchema: JSONValue {
        var schema: [String: JSONValue] = [
            "$schema": Self.draft04,
            "title": .string("\(self.action.title) input"),
            "description": .string(self.action.description),
            "type": .string("object"),
            "properties": .object(Dictionary(uniqueKeysWithValues: self.action.inputs.map { ($0.name, Self.schema(of: $0)) })),
            "additionalProperties": .bool(true),
        ]
        // Draft-04 wants at least one name in `required`.
        let required = self.action.inputs.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { schema["required"] = .array(required) }
        return .object(schema)
    }

    /// The output contract: the flat object the success template renders.
    public var successSchema: JSONValue {
        .object([
            "$schema": Self.draft04,
            "title": .string("\(self.action.title) output"),
            "type": .string("object"),
            "properties": .object(Dictionary(uniqueKeysWithValues: self.action.outputs.map { ($0.name, Self.schema(of: $0)) })),
            "additionalProperties": .bool(true),
        ])
    }

    /// The request's headers: the secret from the credential, never written here.
    public var requestHeaders: [String: String] {
        ["Authorization": "Bearer ${credentials.\(self.credentialField)}", "Content-Type": "application/json"]
    }

    /// The request body: Genesys' flat input object.
    public static let requestTemplate = "${input.rawRequest}"

    /// Each output out of the service's `{"outputs": {…}}` envelope.
    public var translationMap: [String: String] {
        Dictionary(uniqueKeysWithValues: self.action.outputs.map { ($0.name, "$.outputs.\($0.name)") })
    }

    /// What Genesys uses for an output the service left out, as JSON text.
    public var translationMapDefaults: [String: String] {
        Dictionary(uniqueKeysWithValues: self.action.outputs.map { ($0.name, Self.defaultJSON(for: $0)) })
    }

    /// The flat object Architect receives.
    public var successTemplate: String {
        "{" + self.action.outputs.map { #""\#($0.name)": ${\#($0.name)}"# }.joined(separator: ", ") + "}"
    }

    private static let draft04 = JSONValue.string("http://json-schema.org/draft-04/schema#")

    /// The import file's content.
    public var document: JSONValue {
        .object([
            "name": .string(self.name),
            "integrationType": .string("custom-rest-actions"),
            "actionType": .string("custom"),
            "secure": .bool(false),
            "config": .object([
                "request": .object([
                    "requestUrlTemplate": .string(self.url),
                    "requestType": .string("POST"),
                    "headers": .object(self.requestHeaders.mapValues(JSONValue.string)),
                    "requestTemplate": .string(Self.requestTemplate),
                ]),
                "response": .object([
                    "translationMap": .object(self.translationMap.mapValues(JSONValue.string)),
                    "translationMapDefaults": .object(self.translationMapDefaults.mapValues(JSONValue.string)),
                    "successTemplate": .string(self.successTemplate),
                ]),
                "timeoutSeconds": .integer(Int64(self.timeoutSeconds)),
            ]),
            "contract": .object([
                "input": .object(["inputSchema": self.inputSchema]),
                "output": .object(["successSchema": self.successSchema]),
            ]),
        ])
    }
}
