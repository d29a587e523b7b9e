import JSON

/// A request header of an action, whose value is text with `{input}` expansions
/// (`X-Tenant: "{tenantId}"`, `X-Filter: "region={region}"`).
public struct HeaderTemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        case input(String)
    }

    public let name: String
    /// The value as written.
    public let source: String
    let parts: [Part]

    /// Parses `source`; every `{name}` must be one of `names`.
    public init(name: String, source: String, names: Set<String>) throws(URITemplate.Problem) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(source)
        while let character = rest.first {
            rest.removeFirst()
            switch character {
            case "{":
                guard let close = rest.firstIndex(of: "}") else { throw URITemplate.Problem(description: "'{' without '}'") }
                let input = String(rest[..<close])
                rest = rest[rest.index(after: close)...]
                guard names.contains(input) else { throw URITemplate.Problem(description: "'{\(input)}' is not an input of this action") }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.input(input))
            case "}":
                throw URITemplate.Problem(description: "'}' without '{'")
            case _ where character.isNewline || character.asciiValue.map({ $0 < 0x20 || $0 == 0x7F }) == true:
                throw URITemplate.Problem(description: "a header value is one line of text")
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.name = name
        self.source = source
        self.parts = parts
    }

    /// The inputs it expands, in order.
    public var inputs: [String] {
        self.parts.compactMap { if case .input(let name) = $0 { name } else { nil } }
    }

    /// Whether the value is exactly one input, with no text of its own around it.
    public var isOneInput: Bool {
        if self.parts.count == 1, case .input = self.parts[0] { true } else { false }
    }

    /// The header line for these input values; nil when an input in it was not sent. A value
    /// with a control character is refused: it would end the header, or add one.
    public func line(_ values: [String: JSONValue]) throws(InputRefusal) -> String? {
        var line = self.name + ": "
        for part in self.parts {
            switch part {
            case .literal(let text):
                line += text
            case .input(let name):
                guard let value = values[name] else { return nil }
                let text = value.templateText
                guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw .notValid(name, rule: "it is sent in a header, which cannot hold control characters")
                }
                line += text
            }
        }
        return line
    }
}
