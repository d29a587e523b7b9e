import DataAction
import JSON

/// JSON Schema draft-04 validation for the keywords Genesys contracts and the actions file's
/// schema use: `type` (a name or a list), `properties`, `required`, `additionalProperties`
/// (boolean or schema), `items` (one schema), `enum`, `pattern`, `maxLength`, `minimum`,
/// `maximum`, `minProperties`, `oneOf`, `$ref` to `#/definitions/NAME`, and the annotations
/// `$schema`, `title`, `description`, `default` and `definitions`. Any other keyword is refused,
/// so a schema that grows past this subset fails the harness instead of passing unchecked.
public enum JSONSchemaDraft04 {
    /// Why a schema is outside the subset.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    private static let keywords: Set<String> = [
        "$schema", "title", "description", "type", "properties", "required", "additionalProperties", "items", "enum", "pattern",
        "maxLength", "minimum", "maximum", "minProperties", "oneOf", "$ref", "default", "definitions",
    ]

    /// What in `value` breaks `schema`, one line each with its JSON pointer; empty when valid.
    public static func violations(
        of schema: JSONValue,
        by value: JSONValue,
        at pointer: String = "",
        root: JSONValue? = nil
    ) throws
        -> [String]
    {
        let root = root ?? schema
        guard let rules = schema.objectValue else { throw Unsupported(description: "schema at '\(pointer)' is not an object") }
        if let unknown = rules.keys.first(where: { !Self.keywords.contains($0) }) {
            throw Unsupported(description: "keyword '\(unknown)' at '\(pointer)'")
        }
        if let reference = rules["$ref"] {
            let prefix = "#/definitions/"
            guard let text = reference.stringValue, text.hasPrefix(prefix),
                let target = root.objectValue?["definitions"]?.objectValue?[String(text.dropFirst(prefix.count))]
            else { throw Unsupported(description: "$ref at '\(pointer)' is not #/definitions/NAME of this schema") }
            return try Self.violations(of: target, by: value, at: pointer, root: root)
        }
        let place = pointer.isEmpty ? "/" : pointer
        if case .array(let choices)? = rules["oneOf"] {
            let matching = try choices.filter { try Self.violations(of: $0, by: value, at: pointer, root: root).isEmpty }.count
            if matching != 1 {
                return ["\(place): matches \(matching) of the oneOf schemas, not exactly one"]
            }
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
            violations.append("\(place): not one of the enum values")
        }
        if case .string(let text) = value {
            if case .integer(let limit)? = rules["maxLength"], text.unicodeScalars.count > limit {
                violations.append("\(place): longer than \(limit)")
            }
            if let pattern = rules["pattern"]?.stringValue {
                guard let regex = try? Regex(pattern) else { throw Unsupported(description: "pattern at '\(pointer)'") }
                if (try? regex.firstMatch(in: text)) == nil { violations.append("\(place): does not match \(pattern)") }
            }
        }
        if let number = Self.number(value) {
            if let minimum = rules["minimum"].flatMap(Self.number), number < minimum { violations.append("\(place): below the minimum") }
            if let maximum = rules["maximum"].flatMap(Self.number), number > maximum { violations.append("\(place): above the maximum") }
        }
        if case .object(let members) = value, case .integer(let least)? = rules["minProperties"], members.count < least {
            violations.append("\(place): fewer than \(least) members")
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
                    violations += try Self.violations(of: propertySchema, by: member, at: "\(pointer)/\(name)", root: root)
                } else if case .bool(false)? = rules["additionalProperties"] {
                    violations.append("\(pointer)/\(name): not allowed (additionalProperties is false)")
                } else if case .object? = rules["additionalProperties"], let additional = rules["additionalProperties"] {
                    violations += try Self.violations(of: additional, by: member, at: "\(pointer)/\(name)", root: root)
                }
            }
        }
        if case .array(let elements) = value, let items = rules["items"] {
            for (position, element) in elements.enumerated() {
                violations += try Self.violations(of: items, by: element, at: "\(pointer)/\(position)", root: root)
            }
        }
        return violations
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let integer): Double(integer)
        case .number(let number): number
        default: nil
        }
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
