import JSON

/// The path of an upstream request, as an RFC 6570 template over the action's inputs.
///
/// Three expressions, the ones that are safe in a path: `{x}` (a value as one percent-encoded
/// segment: every byte outside RFC 3986's unreserved set is encoded, so a value cannot add `/`,
/// `?` or `#`, and `.` or `..` is refused), `{?x,y}` (a query, `?x=1&y=2`, undefined values left
/// out) and `{&x,y}` (the same, continuing a query the literal began).
public struct URITemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        /// `inPath`: a path segment (not inside the query's text).
        case segment([String], inPath: Bool)
        case query([String], continuing: Bool)
    }

    /// The template as written.
    public let source: String
    let parts: [Part]
    /// The variables of `{x}` expressions in the path: each is a whole path segment.
    public let pathSegmentVariables: [String]
    /// The variables of `{x}` expressions after the `?`: inside the query's own text
    /// (`?q=phone%3D{phone}`), where the upstream may read its own query language.
    public let queryTextVariables: [String]

    /// Why a template cannot be used.
    public struct Problem: Error, Sendable {
        public let description: String
    }

    /// Parses a template; every variable must be one of `names`.
    public init(_ source: String, names: Set<String>) throws(Problem) {
        var parts: [Part] = []
        var literal = ""
        var inQuery = false
        var pathSegmentVariables: [String] = []
        var queryTextVariables: [String] = []
        var rest = Substring(source)
        while let character = rest.first {
            rest.removeFirst()
            switch character {
            case "{":
                guard let close = rest.firstIndex(of: "}") else { throw Problem(description: "'{' without '}'") }
                var expression = rest[..<close]
                rest = rest[rest.index(after: close)...]
                if !literal.isEmpty {
                    inQuery = inQuery || literal.contains("?")
                    parts.append(.literal(literal))
                    literal = ""
                }
                let operation = expression.first.flatMap { "?&+#./;=,!@|".contains($0) ? $0 : nil }
                if operation != nil { expression.removeFirst() }
                let variables = expression.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                for variable in variables {
                    guard !variable.isEmpty else { throw Problem(description: "an empty variable name in '{\(expression)}'") }
                    guard names.contains(variable) else {
                        throw Problem(description: "'\(variable)' is not an input of this action")
                    }
                }
                switch operation {
                case nil:
                    parts.append(.segment(variables, inPath: !inQuery))
                    if inQuery { queryTextVariables += variables } else { pathSegmentVariables += variables }
                case "?":
                    parts.append(.query(variables, continuing: false))
                    inQuery = true
                case "&":
                    parts.append(.query(variables, continuing: true))
                    inQuery = true
                case let other?:
                    throw Problem(description: "the operator '\(other)' is not supported; use {name}, {?name} or {&name}")
                }
            case "}":
                throw Problem(description: "'}' without '{'")
            case _ where character.asciiValue.map({ $0 <= 0x20 || $0 == 0x7F }) ?? true || character == "#":
                throw Problem(description: "the character '\(character)' is not allowed outside an expression; percent-encode it")
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.source = source
        self.parts = parts
        self.pathSegmentVariables = pathSegmentVariables
        self.queryTextVariables = queryTextVariables
    }

    /// The variables, in the order they appear.
    public var variables: [String] {
        self.parts.flatMap { part -> [String] in
            switch part {
            case .literal: []
            case .segment(let names, _), .query(let names, _): names
            }
        }
    }

    /// The template with the input values in place, after `prefix` (the upstream's base URL).
    public func expand(_ values: [String: JSONValue], after prefix: String = "") throws(InputRefusal) -> String {
        var expanded = prefix
        expanded.reserveCapacity(prefix.utf8.count + 64)
        for part in self.parts {
            switch part {
            case .literal(let text):
                expanded += text
            case .segment(let names, let inPath):
                var first = true
                for name in names {
                    guard let value = values[name] else { continue }
                    let text = value.templateText
                    guard text != "." && text != ".." else { throw .notPathSegment(name) }
                    if !first { expanded += "," }
                    first = false
                    Self.percentEncode(text, into: &expanded)
                }
                // An empty segment would address another resource (`/incident/` for `/incident/{id}`).
                if inPath && first, let name = names.first { throw .emptyPathSegment(name) }
            case .query(let names, let continuing):
                var separator: Character = continuing ? "&" : "?"
                for name in names {
                    guard let value = values[name] else { continue }
                    expanded.append(separator)
                    separator = "&"
                    expanded += name
                    expanded += "="
                    Self.percentEncode(value.templateText, into: &expanded)
                }
            }
        }
        return expanded
    }

    /// Appends `text` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`)
    /// as `%XX`.
    static func percentEncode(_ text: String, into output: inout String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
    }
}

extension JSONValue {
    /// A scalar as text in a URL: a string as it is, numbers as JSON writes them.
    var templateText: String {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .number(let value): JSONValue.plain(value)
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: ""
        }
    }
}
