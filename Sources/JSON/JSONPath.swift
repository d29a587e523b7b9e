/// A JSONPath in the subset Genesys' translation maps use: `$`, then members (`.name`,
/// `['name']`, `["name"]`) and array indexes (`[0]`); such a path is definite and names at
/// most one value. Where a list is wanted, `[*]` (every element) may appear too.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
        case everyElement
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

    /// This path followed by `path`, which is read from where this one ends.
    public func appending(_ path: JSONPath) -> JSONPath {
        JSONPath(steps: self.steps + path.steps, description: self.description + path.description.dropFirst())
    }

    /// Whether the path holds `[*]`, and so names a list.
    public var namesList: Bool { self.steps.contains(.everyElement) }

    /// Parses a path; `[*]` only when `allowingEveryElement`.
    public init(_ text: String, allowingEveryElement: Bool = false) throws(Problem) {
        var rest = Substring(text)
        guard rest.first == "$" else { throw Problem(description: "a path starts with '$', e.g. $.name") }
        rest.removeFirst()
        let supported =
            allowingEveryElement ? "only .name, ['name'], [index] and [*] are supported" : "only .name, ['name'] and [index] are supported"
        var steps: [Step] = []
        while let character = rest.first {
            switch character {
            case ".":
                rest.removeFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty, name != "*", !name.hasPrefix(".") else {
                    throw Problem(description: "'\(text)' is not a path this service reads: \(supported)")
                }
                if name.contains("(") {
                    throw Self.unsupported(text, "a function (\(name))", supported)
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
                } else if inside == "*" {
                    guard allowingEveryElement else {
                        throw Problem(description: "'\(text)' names a list ([*]), which only an output of type: array may hold")
                    }
                    steps.append(.everyElement)
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote,
                    !inside.dropFirst().dropLast().contains(quote)
                {
                    steps.append(.member(String(inside.dropFirst().dropLast())))
                } else if inside.hasPrefix("?") {
                    throw Self.unsupported(text, "a filter ([\(inside)])", supported)
                } else if inside.contains(":") {
                    throw Self.unsupported(text, "a slice ([\(inside)])", supported)
                } else if inside.contains(",") {
                    throw Self.unsupported(text, "a union ([\(inside)])", supported)
                } else {
                    throw Problem(description: "'\(text)' is not a path this service reads: \(supported)")
                }
            default:
                throw Problem(description: "'\(text)' is not a path this service reads: \(supported)")
            }
        }
        self.init(steps: steps, description: text)
    }

    /// What is said of a path with a part this reader cannot evaluate, naming the part.
    private static func unsupported(_ text: String, _ part: String, _ supported: String) -> Problem {
        Problem(description: "'\(text)' has \(part), which the service cannot evaluate: \(supported)")
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

    /// The values the path names in an object: with `[*]`, each element's value where it
    /// resolves; without, the elements of the array it names. Nil when the list itself (what
    /// comes before the first `[*]`, or the whole path) is not an array.
    public func elements(inObject members: [String: JSONValue]) -> [JSONValue]? {
        guard let first = self.steps.firstIndex(of: .everyElement) else {
            guard case .array(let elements)? = self.evaluate(inObject: members) else { return nil }
            return elements
        }
        let list = JSONPath(steps: Array(self.steps[..<first]), description: self.description)
        guard case .array(let elements)? = list.evaluate(inObject: members) else { return nil }
        var values: [JSONValue] = []
        self.collect(from: elements, steps: self.steps[(first + 1)...], into: &values)
        return values
    }

    /// Appends what `steps` name in each of `elements`, passing each `[*]` on to the elements
    /// below it; an element where they do not resolve adds nothing.
    private func collect(from elements: [JSONValue], steps: ArraySlice<Step>, into values: inout [JSONValue]) {
        let next = steps.firstIndex(of: .everyElement)
        let definite = steps[..<(next ?? steps.endIndex)]
        for element in elements {
            guard let value = self.evaluate(from: element, steps: definite) else { continue }
            if let next {
                guard case .array(let inner) = value else { continue }
                self.collect(from: inner, steps: steps[(next + 1)...], into: &values)
            } else {
                values.append(value)
            }
        }
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
