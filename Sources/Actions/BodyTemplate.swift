import JSON

/// The JSON body of a POST to the upstream: JSON as written, where a string that is exactly
/// `{name}` of an input becomes that input's typed value (`{"id": "{accountId}"}` sends
/// `{"id": 42}` for an integer input). Values are placed, never joined into text, so an input
/// cannot change the body's structure. A member or element whose optional input was not sent
/// is left out.
public struct BodyTemplate: Sendable {
    /// The template as written.
    public let template: JSONValue

    /// Why a template cannot be used.
    public typealias Problem = URITemplate.Problem

    /// Checks `template`: every `{name}` must be one of `names`, alone in its string.
    public init(_ template: JSONValue, names: Set<String>) throws(Problem) {
        try Self.check(template, names: names)
        self.template = template
    }

    /// The input a string refers to, when it is exactly `{name}`.
    static func reference(in text: String) -> String? {
        guard text.count > 2, text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        let name = text.dropFirst().dropLast()
        guard !name.contains("{"), !name.contains("}") else { return nil }
        return String(name)
    }

    private static func check(_ value: JSONValue, names: Set<String>) throws(Problem) {
        switch value {
        case .string(let text):
            if let name = Self.reference(in: text) {
                guard names.contains(name) else { throw Problem(description: "'{\(name)}' is not an input of this action") }
            } else if let name = names.first(where: { text.contains("{\($0)}") }) {
                throw Problem(
                    description: "'\(text)' joins '{\(name)}' into text; a value is either literal or exactly \"{\(name)}\""
                )
            }
        case .array(let elements):
            for element in elements { try Self.check(element, names: names) }
        case .object(let members):
            for (_, member) in members { try Self.check(member, names: names) }
        case .null, .bool, .integer, .number:
            break
        }
    }

    /// The body for these input values.
    public func render(_ values: [String: JSONValue]) -> JSONValue {
        Self.render(self.template, values) ?? .null
    }

    /// nil when `value` is a reference to an input that was not sent.
    private static func render(_ value: JSONValue, _ values: [String: JSONValue]) -> JSONValue? {
        switch value {
        case .string(let text):
            guard let name = Self.reference(in: text) else { return value }
            return values[name]
        case .array(let elements):
            return .array(elements.compactMap { Self.render($0, values) })
        case .object(let members):
            return .object(members.compactMapValues { Self.render($0, values) })
        case .null, .bool, .integer, .number:
            return value
        }
    }
}
