import DataAction
import JSON

/// The part of JSONPath (Jayway, as Genesys evaluates translation maps) that definite paths
/// use: `$`, `.name`, `['name']`, `["name"]` and `[index]`. A path that does not resolve (a
/// missing member or index, or a step into a value of the wrong kind) gives nil, which is when
/// Genesys uses the translation map default; a JSON null that is there resolves to `.null`.
/// Wildcards, deep scans, filters, slices and unions are refused.
public enum JSONPathSubset {
    /// Why a path is outside the subset.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    private enum Step {
        case member(String)
        case index(Int)
    }

    /// The value `path` selects in `document`, or nil when it does not resolve.
    public static func evaluate(_ path: String, in document: JSONValue) throws -> JSONValue? {
        var current: JSONValue? = document
        for step in try Self.steps(path) {
            switch (step, current) {
            case (.member(let name), .object(let members)?):
                current = members[name]
            case (.index(let position), .array(let elements)?):
                current = elements.indices.contains(position) ? elements[position] : nil
            default:
                current = nil
            }
        }
        return current
    }

    private static func steps(_ path: String) throws -> [Step] {
        let characters = Array(path)
        guard characters.first == "$" else { throw Unsupported(description: "'\(path)' does not start with $") }
        var steps: [Step] = []
        var index = 1
        while index < characters.count {
            switch characters[index] {
            case ".":
                index += 1
                let start = index
                while index < characters.count, characters[index] != ".", characters[index] != "[" { index += 1 }
                let name = String(characters[start..<index])
                guard !name.isEmpty, name != "*" else { throw Unsupported(description: "'\(path)': deep scans and wildcards") }
                steps.append(.member(name))
            case "[":
                guard let close = characters[index...].firstIndex(of: "]") else { throw Unsupported(description: "'\(path)': unclosed [") }
                let inside = String(characters[(index + 1)..<close])
                if let quote = inside.first, quote == "'" || quote == "\"", inside.count >= 2, inside.last == quote {
                    steps.append(.member(String(inside.dropFirst().dropLast())))
                } else if let position = Int(inside), position >= 0 {
                    steps.append(.index(position))
                } else {
                    throw Unsupported(description: "'\(path)': [\(inside)] (filters, slices, unions, wildcards)")
                }
                index = close + 1
            default:
                throw Unsupported(description: "'\(path)': unexpected '\(characters[index])'")
            }
        }
        return steps
    }
}
