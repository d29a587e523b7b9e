import DataAction
import FoundationEssentials

/// The Genesys Cloud action that calls this service's user lookup: the JSON file that
/// Admin > Integrations > Actions > Import reads for a Web Services Data Actions integration.
///
/// The action sends Genesys' default request (the flat input object, `${input.rawRequest}`)
/// with the shared secret taken from a User Defined credential field, so the file never holds
/// a secret. Its response configuration maps each output out of the service's
/// `{"outputs": {…}}` envelope with a default for when the service left it out, and renders
/// the flat object the success schema describes. The service never answers `null` for an
/// output, so neither Genesys trap applies: a null skips its default, and a null `${key}`
/// renders as literal text that breaks the JSON.
public struct UserLookupActionExport: Sendable {
    /// The action's name in Genesys when `--name` is not given.
    public static let defaultName = "Look up user (data-action)"
    /// The User Defined credential field that holds the shared secret, when not given.
    public static let defaultCredentialField = "sharedSecret"
    /// How far the action's timeout stays above the upstream timeout by default, in seconds:
    /// room for nginx, the FastCGI hop and Genesys' own connection set-up.
    public static let defaultTimeoutMarginSeconds = 5

    /// The service's public URL, e.g. `https://HOST/data-action/user-lookup`.
    public var url: String
    /// The action's name as it appears in Architect.
    public var name: String
    /// How long Genesys waits before taking the action's Timeout path.
    public var timeoutSeconds: Int
    /// The User Defined credential field whose value is the shared secret.
    public var credentialField: String

    /// Creates an export; ``problems(upstreamTimeoutMilliseconds:)`` says whether it is usable.
    public init(url: String, name: String, timeoutSeconds: Int, credentialField: String) {
        self.url = url
        self.name = name
        self.timeoutSeconds = timeoutSeconds
        self.credentialField = credentialField
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
    /// timeout, or a slow directory takes the Timeout path instead of the service's clear 504.
    public func problems(upstreamTimeoutMilliseconds: Int) -> [String] {
        var problems: [String] = []
        if let components = URLComponents(string: self.url), components.scheme == "https",
            let host = components.host, !host.isEmpty
        {
            if self.url.contains(where: { $0 == "$" || $0 == "#" || $0.isWhitespace }) {
                problems.append("--url must not contain '$', '#' or spaces (Genesys reads the URL as a Velocity template)")
            }
        } else {
            problems.append("--url must be an absolute https URL such as https://HOST/data-action/user-lookup, not '\(self.url)'")
        }
        if self.name.allSatisfy(\.isWhitespace) || self.name.contains(where: \.isNewline) {
            problems.append("--name must be one non-empty line")
        }
        if !(1...60).contains(self.timeoutSeconds) {
            problems.append("--timeout-seconds must be 1–60 (Genesys' limits), not \(self.timeoutSeconds)")
        } else if self.timeoutSeconds * 1000 <= upstreamTimeoutMilliseconds {
            problems.append(
                "--timeout-seconds \(self.timeoutSeconds) must be above UPSTREAM_TIMEOUT_MS (\(upstreamTimeoutMilliseconds) ms), "
                    + "or a slow directory takes the Timeout path instead of the service's 504"
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

    /// One output of the action: its key in the service's `outputs`, type, title and default.
    struct Output {
        let key: String
        let type: String
        let title: String
        let description: String
        /// JSON text Genesys uses when the service left the output out.
        let defaultJSON: String
    }

    /// The outputs, in the order the success template lists them.
    static let outputs = [
        Output(
            key: "userFound",
            type: "boolean",
            title: "User found",
            description: "True when the directory has the user; false when it answered 'not found'.",
            defaultJSON: "false"
        ),
        Output(key: "userName", type: "string", title: "User name", description: "The user's name; empty when unknown.", defaultJSON: #""""#),
        Output(key: "userEmail", type: "string", title: "User email", description: "The user's email; empty when unknown.", defaultJSON: #""""#),
        Output(key: "userPhone", type: "string", title: "User phone", description: "The user's phone; empty when unknown.", defaultJSON: #""""#),
    ]

    /// The import file's content.
    public var document: JSONValue {
        let outputs = Self.outputs
        let successTemplate = "{" + outputs.map { #""\#($0.key)": ${\#($0.key)}"# }.joined(separator: ", ") + "}"
        let draft04 = JSONValue.string("http://json-schema.org/draft-04/schema#")
        return .object([
            "name": .string(self.name),
            "integrationType": .string("custom-rest-actions"),
            "actionType": .string("custom"),
            "secure": .bool(false),
            "config": .object([
                "request": .object([
                    "requestUrlTemplate": .string(self.url),
                    "requestType": .string("POST"),
                    "headers": .object([
                        "Authorization": .string("Bearer ${credentials.\(self.credentialField)}"),
                        "Content-Type": .string("application/json"),
                    ]),
                    "requestTemplate": .string("${input.rawRequest}"),
                ]),
                "response": .object([
                    "translationMap": .object(Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, .string("$.outputs.\($0.key)")) })),
                    "translationMapDefaults": .object(Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, .string($0.defaultJSON)) })),
                    "successTemplate": .string(successTemplate),
                ]),
                "timeoutSeconds": .integer(Int64(self.timeoutSeconds)),
            ]),
            "contract": .object([
                "input": .object([
                    "inputSchema": .object([
                        "$schema": draft04,
                        "title": .string("User lookup input"),
                        "type": .string("object"),
                        "properties": .object([
                            "userId": .object([
                                "type": .string("string"),
                                "title": .string("User ID"),
                                "description": .string("The ID of the user to look up in the external directory."),
                            ])
                        ]),
                        "required": .array([.string("userId")]),
                        "additionalProperties": .bool(true),
                    ])
                ]),
                "output": .object([
                    "successSchema": .object([
                        "$schema": draft04,
                        "title": .string("User lookup output"),
                        "type": .string("object"),
                        "properties": .object(
                            Dictionary(
                                uniqueKeysWithValues: outputs.map {
                                    (
                                        $0.key,
                                        JSONValue.object([
                                            "type": .string($0.type), "title": .string($0.title), "description": .string($0.description),
                                        ])
                                    )
                                }
                            )
                        ),
                        "additionalProperties": .bool(true),
                    ])
                ]),
            ]),
        ])
    }
}
