import JSON

/// The JSON body of a POST, PUT or PATCH to the upstream: JSON as written, where a string that
/// is exactly `{name}` of an input becomes that input's typed value (`{"id": "{accountId}"}`
/// sends `{"id": 42}` for an integer input). Values are placed, never joined into text, so an
/// input cannot change the body's structure; any other string is sent as written, braces and
/// all (a GraphQL query). A member whose optional input was not sent is left out; an array
/// element names a required input only, so an array never shifts.
public struct BodyTemplate: Sendable {
    /// The template as written.
    public let template: JSONValue

    /// Why a template cannot be used.
    public typealias Problem = URITemplate.Problem

    /// Strings sent as written that contain `{name}` of an input: likely meant as a value,
    /// which a string is only when it is exactly `"{name}"` (check-config says so).
    public let textsNamingInputs: [String]

    /// Checks `template`: every `"{name}"` must be an input, and one in an array a required one.
    public init(_ template: JSONValue, inputs: [ActionInput]) throws(Problem) {
        var texts: [String] = []
        try Self.check(template, inputs: inputs, inArray: false, texts: &texts)
        self.template = template
        self.textsNamingInputs = texts
    }

    /// The input a string refers to, when it is exactly `{name}`.
    static func reference(in text: String) -> String? {
        guard text.count > 2, text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        let name = text.dropFirst().dropLast()
        guard !name.contains("{"), !name.contains("}") else { return nil }
        return String(name)
    }

    private static func check(_ value: JSONValue, inputs: [ActionInput], inArray: Bool, texts: inout [String]) throws(Problem) {
        switch value {
        case .string(let text):
            if let name = Self.reference(in: text) {
                guard let input = inputs.first(where: { $0.name == name }) else {
                    throw Problem(description: "'{\(name)}' is not an input of this action")
                }
                guard !inArray || input.required else {
                    throw Problem(
                        description: "'{\(name)}' is an array element, so input '\(name)' must be required: an absent value would shift the array"
                    )
                }
            } else if inputs.contains(where: { text.contains("{\($0.name)}") }) {
                texts.append(text)
            }
        case .array(let elements):
            for element in elements { try Self.check(element, inputs: inputs, inArray: true, texts: &texts) }
        case .object(let members):
            for key in members.keys.sorted() { try Self.check(members[key]!, inputs: inputs, inArray: false, texts: &texts) }
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
