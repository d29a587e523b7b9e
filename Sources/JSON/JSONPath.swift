/// A definite JSONPath, the subset Genesys' translation maps use: `$`, then members (`.name`,
/// `['name']`, `["name"]`) and array indexes (`[0]`). Each path names at most one value.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    let steps: [Step]
    /// The path as written.
    public let description: String

    /// The whole document.
    public static let root = JSONPath(steps: [], description: "$")

    private init(steps: [Step], description: String) {
        self.steps = steps
        self.description = description
    }

    /// Why a path cannot be used.
    public struct Problem: Error, Sendable {
        public let description: String
    }

    /// Parses a path.
    public init(_ text: String) throws(Problem) {
        var rest = Substring(text)
        guard rest.first == "$" else { throw Problem(description: "a path starts with '$', e.g. $.name") }
        rest.removeFirst()
        var steps: [Step] = []
        while let character = rest.first {
            switch character {
            case ".":
                rest.removeFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty, name != "*", !name.hasPrefix(".") else {
                    throw Problem(description: "'\(text)' is not a definite path: only .name, ['name'] and [index] are supported")
                }
                if name.contains("(") {
                    throw Self.unsupported(text, "a function (\(name))")
                }
                steps.append(.member(String(name)))
                rest = rest.dropFirst(name.count)
            case "[":
                rest.removeFirst()
                guard let close = rest.firstIndex(of: "]") else { throw Problem(description: "'\(text)': '[' without ']'") }
                let inside = rest[..<close]
                rest = rest[rest.index(after: close)...]
                if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote,
                    !inside.dropFirst().dropLast().contains(quote)
                {
                    steps.append(.member(String(inside.dropFirst().dropLast())))
                } else if inside.hasPrefix("?") {
                    throw Self.unsupported(text, "a filter ([\(inside)])")
                } else if inside.contains(":") {
                    throw Self.unsupported(text, "a slice ([\(inside)])")
                } else if inside.contains(",") {
                    throw Self.unsupported(text, "a union ([\(inside)])")
                } else {
                    throw Problem(description: "'\(text)' is not a definite path: only .name, ['name'] and [index] are supported")
                }
            default:
                throw Problem(description: "'\(text)' is not a definite path: only .name, ['name'] and [index] are supported")
            }
        }
        self.init(steps: steps, description: text)
    }

    /// What is said of a path with a part this reader cannot evaluate, naming the part.
    private static func unsupported(_ text: String, _ part: String) -> Problem {
        Problem(description: "'\(text)' has \(part), which the service cannot evaluate: only .name, ['name'] and [index] are supported")
    }

    /// The value the path names in `document`; nil when it does not resolve.
    public func evaluate(in document: JSONValue) -> JSONValue? {
        self.evaluate(from: document, steps: self.steps[...])
    }

    /// The same for a document that is an object, without wrapping it.
    public func evaluate(inObject members: [String: JSONValue]) -> JSONValue? {
        guard case .member(let name)? = self.steps.first else { return self.steps.isEmpty ? .object(members) : nil }
        guard let member = members[name] else { return nil }
        return self.evaluate(from: member, steps: self.steps.dropFirst())
    }

    private func evaluate(from document: JSONValue, steps: ArraySlice<Step>) -> JSONValue? {
        var value = document
        for step in steps {
            switch (step, value) {
            case (.member(let name), .object(let members)):
                guard let member = members[name] else { return nil }
                value = member
            case (.index(let index), .array(let elements)):
                guard index < elements.count else { return nil }
                value = elements[index]
            default:
                return nil
            }
        }
        return value
    }
}
