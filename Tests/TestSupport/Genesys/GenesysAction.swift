import DataAction
import JSON

/// A Genesys Cloud custom web services action, read from its import/export file the way
/// Admin > Integrations > Actions > Import reads it: every part the execution needs must be
/// there with the right type, or the file does not import.
public struct GenesysAction: Sendable, Equatable {
    public let name: String
    public let requestURLTemplate: String
    public let requestType: String
    public let headerTemplates: [String: String]
    public let requestTemplate: String
    public let translationMap: [String: String]
    /// Output key → JSON text, used only when the key's JSONPath does not resolve.
    public let translationMapDefaults: [String: String]
    public let successTemplate: String
    public let timeoutSeconds: Int
    public let inputSchema: JSONValue
    public let successSchema: JSONValue

    /// Why a file is not an importable action.
    public struct ShapeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads an action from its import file's bytes.
    public init(importFile bytes: [UInt8]) throws {
        let document = try JSONValue.parse(bytes)
        guard let root = document.objectValue else { throw ShapeError(description: "the file is not a JSON object") }
        func member(_ object: [String: JSONValue], _ key: String, at path: String) throws -> JSONValue {
            guard let value = object[key] else { throw ShapeError(description: "\(path).\(key) is missing") }
            return value
        }
        func object(_ object: [String: JSONValue], _ key: String, at path: String) throws -> [String: JSONValue] {
            guard let value = try member(object, key, at: path).objectValue else { throw ShapeError(description: "\(path).\(key) is not an object") }
            return value
        }
        func string(_ object: [String: JSONValue], _ key: String, at path: String) throws -> String {
            guard let value = try member(object, key, at: path).stringValue else { throw ShapeError(description: "\(path).\(key) is not a string") }
            return value
        }
        func strings(_ object: [String: JSONValue], _ key: String, at path: String) throws -> [String: String] {
            try Self.stringMap(try member(object, key, at: path), at: "\(path).\(key)")
        }
        guard try string(root, "integrationType", at: "$") == "custom-rest-actions" else {
            throw ShapeError(description: "$.integrationType is not custom-rest-actions")
        }
        guard try string(root, "actionType", at: "$") == "custom" else { throw ShapeError(description: "$.actionType is not custom") }
        guard case .bool = try member(root, "secure", at: "$") else { throw ShapeError(description: "$.secure is not a boolean") }
        self.name = try string(root, "name", at: "$")
        let config = try object(root, "config", at: "$")
        let request = try object(config, "request", at: "$.config")
        self.requestURLTemplate = try string(request, "requestUrlTemplate", at: "$.config.request")
        self.requestType = try string(request, "requestType", at: "$.config.request")
        self.headerTemplates = try strings(request, "headers", at: "$.config.request")
        self.requestTemplate = try string(request, "requestTemplate", at: "$.config.request")
        let response = try object(config, "response", at: "$.config")
        self.translationMap = try strings(response, "translationMap", at: "$.config.response")
        self.translationMapDefaults = try strings(response, "translationMapDefaults", at: "$.config.response")
        self.successTemplate = try string(response, "successTemplate", at: "$.config.response")
        guard case .integer(let timeout) = config["timeoutSeconds"] ?? .integer(60), (1...60).contains(timeout) else {
            throw ShapeError(description: "$.config.timeoutSeconds is not a whole number of seconds from 1 to 60")
        }
        self.timeoutSeconds = Int(timeout)
        let contract = try object(root, "contract", at: "$")
        self.inputSchema = .object(try object(try object(contract, "input", at: "$.contract"), "inputSchema", at: "$.contract.input"))
        self.successSchema = .object(try object(try object(contract, "output", at: "$.contract"), "successSchema", at: "$.contract.output"))
        for key in self.translationMapDefaults.keys where self.translationMap[key] == nil {
            throw ShapeError(description: "$.config.response.translationMapDefaults.\(key) has no translation map entry")
        }
    }

    private static func stringMap(_ value: JSONValue, at path: String) throws -> [String: String] {
        guard let members = value.objectValue else { throw ShapeError(description: "\(path) is not an object") }
        return try members.mapValues {
            guard let text = $0.stringValue else { throw ShapeError(description: "\(path) has a value that is not a string") }
            return text
        }
    }
}
