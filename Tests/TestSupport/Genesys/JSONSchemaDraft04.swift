import DataAction

/// JSON Schema draft-04 validation for the keywords Genesys contracts use: `type` (a name or a
/// list), `properties`, `required`, `additionalProperties` (boolean or schema), `items` (one
/// schema), `enum`, and the annotations `$schema`, `title` and `description`. Any other keyword
/// is refused, so a contract that grows past this subset fails the harness instead of passing
/// unchecked.
public enum JSONSchemaDraft04 {
    /// Why a schema is outside the subset.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    private static let keywords: Set<String> = [
        "$schema", "title", "description", "type", "properties", "required", "additionalProperties", "items", "enum",
    ]

    /// What in `value` breaks `schema`, one line each with its JSON pointer; empty when valid.
    public static func violations(of schema: JSONValue, by value: JSONValue, at pointer: String = "") throws -> [String] {
        guard let rules = schema.objectValue else { throw Unsupported(description: "schema at '\(pointer)' is not an object") }
        if let unknown = rules.keys.first(where: { !Self.keywords.contains($0) }) {
            throw Unsupported(description: "keyword '\(unknown)' at '\(pointer)'")
        }
        var violations: [String] = []
        if let type = rules["type"] {
            let names: [String]
            switch type {
            case .string(let name): names = [name]
            case .array(let list): names = list.compactMap(\.stringValue)
            default: throw Unsupported(description: "type at '\(pointer)' is neither a name nor a list")
            }
            if !names.contains(where: { Self.value(value, hasType: $0) }) {
                violations.append("\(pointer.isEmpty ? "/" : pointer): \(Self.typeName(of: value)) is not \(names.joined(separator: " or "))")
                return violations
            }
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) {
            violations.append("\(pointer.isEmpty ? "/" : pointer): not one of the enum values")
        }
        if case .object(let members) = value {
            let properties = rules["properties"]?.objectValue ?? [:]
            if case .array(let required)? = rules["required"] {
                for name in required.compactMap(\.stringValue) where members[name] == nil {
                    violations.append("\(pointer)/\(name): required but missing")
                }
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    violations += try Self.violations(of: propertySchema, by: member, at: "\(pointer)/\(name)")
                } else if case .bool(false)? = rules["additionalProperties"] {
                    violations.append("\(pointer)/\(name): not allowed (additionalProperties is false)")
                } else if case .object? = rules["additionalProperties"], let additional = rules["additionalProperties"] {
                    violations += try Self.violations(of: additional, by: member, at: "\(pointer)/\(name)")
                }
            }
        }
        if case .array(let elements) = value, let items = rules["items"] {
            for (position, element) in elements.enumerated() {
                violations += try Self.violations(of: items, by: element, at: "\(pointer)/\(position)")
            }
        }
        return violations
    }

    /// Draft-04's primitive types: `integer` is a number without a fraction; `number` includes it.
    private static func value(_ value: JSONValue, hasType name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .integer), ("number", .integer), ("number", .number): return true
        case ("integer", .number(let number)): return number.rounded() == number
        default: return false
        }
    }

    private static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
