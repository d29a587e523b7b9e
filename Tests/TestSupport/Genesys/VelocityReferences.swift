/// The part of Apache Velocity that Genesys data action templates use here: references.
///
/// `${name}` and `$name` (dotted names allowed) are replaced by their value; a reference whose
/// value is null or undefined renders as its own source text, which is Velocity's rule and the
/// trap docs/GENESYS.md describes; the quiet forms `$!{name}` and `$!name` render nothing instead.
/// Directives (`#if`, `#set`, …), comments and escapes are refused rather than guessed at, so a
/// template that needs more than this subset fails loudly instead of rendering wrongly.
public enum VelocityReferences {
    /// Why a template cannot be rendered by this subset.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    /// Renders `template`, asking `value` for each reference's text (nil: null or undefined).
    public static func render(_ template: String, value: (String) -> String?) throws -> String {
        let characters = Array(template)
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if index + 1 < characters.count {
                let next = characters[index + 1]
                let isDirective = character == "#" && (next.isLetter || "{#*".contains(next))
                let isEscape = character == "\\" && (next == "$" || next == "#")
                if isDirective || isEscape {
                    throw Unsupported(description: "'\(character)\(next)' at offset \(index): directives, comments and escapes are not supported")
                }
            }
            guard character == "$", let reference = Self.reference(in: characters, at: index) else {
                output.append(character)
                index += 1
                continue
            }
            if let text = value(reference.name) {
                output += text
            } else if !reference.quiet {
                output += String(characters[index..<reference.end])
            }
            index = reference.end
        }
        return output
    }

    /// The reference starting with the `$` at `start`, if one does.
    private static func reference(in characters: [Character], at start: Int) -> (name: String, quiet: Bool, end: Int)? {
        var index = start + 1
        let quiet = index < characters.count && characters[index] == "!"
        if quiet { index += 1 }
        let braced = index < characters.count && characters[index] == "{"
        if braced { index += 1 }
        let nameStart = index
        guard index < characters.count, characters[index].isASCII, characters[index].isLetter else { return nil }
        while index < characters.count {
            let character = characters[index]
            let isNameCharacter = character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
            let isDot = character == "." && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isLetter
            guard isNameCharacter || isDot else { break }
            index += 1
        }
        let name = String(characters[nameStart..<index])
        if braced {
            guard index < characters.count, characters[index] == "}" else { return nil }
            index += 1
        }
        return (name, quiet, index)
    }
}
