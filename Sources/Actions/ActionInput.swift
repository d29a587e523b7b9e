import JSON

/// One input of an action: a flat scalar, as Genesys requires, with the rules it must meet.
public struct ActionInput: Sendable {
    /// The input's name in the request body.
    public var name: String
    public var type: ValueType
    public var required: Bool
    /// Shown in Genesys.
    public var description: String?
    /// A regular expression the text must contain a match of (JSON Schema's `pattern`: anchor
    /// it with `^…$` to match the whole text); strings only.
    public var pattern: InputPattern?
    /// The most characters (Unicode scalars); strings only.
    public var maxLength: Int?
    /// The only values allowed.
    public var allowed: [JSONValue]?
    /// The smallest and largest values; integers and numbers only.
    public var minimum: Double?
    public var maximum: Double?

    public init(
        name: String,
        type: ValueType,
        required: Bool = false,
        description: String? = nil,
        pattern: InputPattern? = nil,
        maxLength: Int? = nil,
        allowed: [JSONValue]? = nil,
        minimum: Double? = nil,
        maximum: Double? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.description = description
        self.pattern = pattern
        self.maxLength = maxLength
        self.allowed = allowed
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Whether any text may come in: a string with neither a pattern nor an enum. Such an input
    /// may not stand inside literal text that an upstream reads (its query, a header).
    public var isFreeText: Bool { self.type == .string && self.pattern == nil && self.allowed == nil }

    /// Names Genesys keeps for itself in a request template, and the envelope's key.
    public static let reservedNames: Set<String> = ["orgId", "integrationId", "rawRequest", "inputs"]

    /// The checked value of this input among the members the caller sent; nil when an optional
    /// input is absent or null.
    ///
    /// A string input also takes a JSON integer, as its decimal text (Genesys' tutorials send
    /// ids as numbers); a number input takes an integer.
    public func value(in members: [String: JSONValue]) throws(InputRefusal) -> JSONValue? {
        let sent = members[self.name]
        let value: JSONValue
        switch (self.type, sent) {
        case (_, nil), (_, .null?), (.string, .string("")?):
            guard !self.required else { throw .required(self.name) }
            return nil
        case (.string, .string?), (.integer, .integer?), (.number, .number?), (.number, .integer?), (.boolean, .bool?):
            value = sent!
        case (.string, .integer(let number)?):
            value = .string(String(number))
        default:
            throw .wrongType(self.name, self.type)
        }
        try self.check(value)
        return value
    }

    /// Applies the rules to a value of the input's type.
    private func check(_ value: JSONValue) throws(InputRefusal) {
        if let allowed, !allowed.contains(where: { $0.equalsNumerically(value) }) {
            throw .notValid(self.name, rule: "one of " + allowed.map { String(decoding: $0.serialized, as: UTF8.self) }.joined(separator: ", "))
        }
        switch value {
        case .string(let text):
            if let maxLength, text.unicodeScalars.count > maxLength {
                throw .notValid(self.name, rule: "at most \(maxLength) characters")
            }
            if let pattern, !pattern.matches(text) {
                throw .notValid(self.name, rule: "it must match \(pattern.source)")
            }
        case .integer, .number:
            let number = value.doubleValue!
            if let minimum, number < minimum {
                throw .notValid(self.name, rule: "at least \(JSONValue.plain(minimum))")
            }
            if let maximum, number > maximum {
                throw .notValid(self.name, rule: "at most \(JSONValue.plain(maximum))")
            }
        default:
            break
        }
    }
}

/// A regular expression an input's text must contain a match of, kept with its source.
///
/// Matching goes by Unicode scalar, as JSON Schema counts characters: with Swift's default
/// (grapheme clusters) `[^\u0000-\u001F]` would let `"\r\n"` through as one character. A
/// pattern that is one character class over the whole text (`^[…]+$`, `^[^…]{1,64}$`) is
/// matched scalar by scalar without the regex engine (bench/RESULTS.md).
public struct InputPattern: @unchecked Sendable {
    // Sendable: a compiled Regex is an immutable value; matching does not change it.
    public let source: String
    private let regex: Regex<AnyRegexOutput>
    private let scalarClass: ScalarClassPattern?

    /// Compiles `source`; nil when it is not a regular expression.
    public init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex.matchingSemantics(.unicodeScalar)
        self.scalarClass = ScalarClassPattern(source)
    }

    func matches(_ text: String) -> Bool {
        if let scalarClass { return scalarClass.matches(text) }
        return (try? self.regex.firstMatch(in: text)) != nil
    }

    /// Whether the regex engine answers the same as the scalar fast path would, for tests.
    func regexMatches(_ text: String) -> Bool {
        (try? self.regex.firstMatch(in: text)) != nil
    }

    /// True when the fast path matches this pattern.
    var isScalarClass: Bool { self.scalarClass != nil }
}

/// `^[CLASS]QUANTIFIER$`: one character class, repeated over the whole text. The class holds
/// single scalars (`a`, `\/`, `\u001F`, `\x7F`) and ranges of them, optionally negated; a
/// class with anything else (`\d`, `\s`, nested classes, set operations) is left to the regex
/// engine, whose meaning for them is Unicode's.
struct ScalarClassPattern: Sendable {
    let negated: Bool
    let ranges: [ClosedRange<UInt32>]
    let minimum: Int
    let maximum: Int?

    init?(_ source: String) {
        var scalars = Array(source.unicodeScalars)[...]
        guard scalars.first == "^", scalars.last == "$" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        guard scalars.first == "[", let close = Self.classEnd(scalars) else { return nil }
        var body = scalars[scalars.index(after: scalars.startIndex)..<close]
        var quantifier = scalars[scalars.index(after: close)...]
        switch String(String.UnicodeScalarView(quantifier)) {
        case "+": (self.minimum, self.maximum) = (1, nil)
        case "*": (self.minimum, self.maximum) = (0, nil)
        default:
            guard quantifier.first == "{", quantifier.last == "}" else { return nil }
            quantifier = quantifier.dropFirst().dropLast()
            let bounds = String(String.UnicodeScalarView(quantifier)).split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]) else { return nil }
            let high = bounds.count == 1 ? low : bounds[1].isEmpty ? nil : Int(bounds[1])
            guard bounds.count == 1 || bounds[1].isEmpty || high != nil, high.map({ $0 >= low }) ?? true else { return nil }
            (self.minimum, self.maximum) = (low, high)
        }
        self.negated = body.first == "^"
        if self.negated { body = body.dropFirst() }
        var items: [UInt32] = []
        var ranges: [ClosedRange<UInt32>] = []
        var pendingRange = false
        while let scalar = body.first {
            body = body.dropFirst()
            var value = scalar.value
            switch scalar {
            case "[", "&", "~":
                return nil
            case "-" where !pendingRange:
                // A range between two scalars, or a literal first or last; anything else is
                // read differently by different engines.
                if !items.isEmpty && !body.isEmpty && body.first != "-" {
                    pendingRange = true
                    continue
                }
                guard (items.isEmpty && ranges.isEmpty) || body.isEmpty else { return nil }
            case "\\":
                guard let escaped = body.first else { return nil }
                body = body.dropFirst()
                switch escaped {
                case "u", "x":
                    let digits = escaped == "u" ? 4 : 2
                    guard body.count >= digits, let number = UInt32(String(String.UnicodeScalarView(body.prefix(digits))), radix: 16) else {
                        return nil
                    }
                    body = body.dropFirst(digits)
                    value = number
                case _ where escaped.properties.isAlphabetic || escaped.properties.numericType != nil:
                    return nil
                default:
                    value = escaped.value
                }
            default:
                break
            }
            if pendingRange {
                guard let low = items.popLast(), low <= value else { return nil }
                ranges.append(low...value)
                pendingRange = false
            } else {
                items.append(value)
            }
        }
        guard !pendingRange, !(items.isEmpty && ranges.isEmpty) else { return nil }
        self.ranges = ranges + items.map { $0...$0 }
    }

    /// The index of the `]` that ends the class starting at `scalars.first`.
    private static func classEnd(_ scalars: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar>.Index? {
        var index = scalars.index(after: scalars.startIndex)
        if index < scalars.endIndex, scalars[index] == "^" { index += 1 }
        // A `]` first in the class is an error to some engines and a literal to others.
        guard index < scalars.endIndex, scalars[index] != "]" else { return nil }
        while index < scalars.endIndex {
            switch scalars[index] {
            case "\\": index += 2
            case "]": return index
            default: index += 1
            }
        }
        return nil
    }

    func matches(_ text: String) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars {
            let inClass = self.ranges.contains { $0.contains(scalar.value) }
            guard inClass != self.negated else { return false }
            count += 1
            if let maximum, count > maximum { return false }
        }
        return count >= self.minimum
    }
}

extension JSONValue {
    /// The value of a number, integer or not.
    var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// Equal, with an integer and a number of the same value counted equal.
    func equalsNumerically(_ other: JSONValue) -> Bool {
        if let left = self.doubleValue, let right = other.doubleValue { return left == right }
        return self == other
    }

    /// A number as JSON writes it: `3`, not `3.0`.
    static func plain(_ number: Double) -> String {
        if let integer = Int64(exactly: number) { return String(integer) }
        return "\(number)"
    }
}
