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

    /// Names Genesys keeps for itself in a request template, and the envelope's key.
    public static let reservedNames: Set<String> = ["orgId", "integrationId", "rawRequest", "inputs"]

    /// The checked value of this input among the members the caller sent; nil when an optional
    /// input is absent or null.
    ///
    /// A string input also takes a JSON integer, as its decimal text (Genesys' tutorials send
    /// ids as numbers); a number input takes an integer.
    func value(in members: [String: JSONValue]) throws(ContractViolation) -> JSONValue? {
        let sent = members[self.name]
        let value: JSONValue
        switch (self.type, sent) {
        case (_, nil), (_, .null?), (.string, .string("")?):
            guard !self.required else { throw .inputRequired(self.name) }
            return nil
        case (.string, .string?), (.integer, .integer?), (.number, .number?), (.number, .integer?), (.boolean, .bool?):
            value = sent!
        case (.string, .integer(let number)?):
            value = .string(String(number))
        default:
            throw .inputWrongType(self.name, type: self.type)
        }
        try self.check(value)
        return value
    }

    /// Applies the rules to a value of the input's type.
    private func check(_ value: JSONValue) throws(ContractViolation) {
        if let allowed, !allowed.contains(where: { $0.equalsNumerically(value) }) {
            throw .inputNotValid(self.name, rule: "one of " + allowed.map { String(decoding: $0.serialized, as: UTF8.self) }.joined(separator: ", "))
        }
        switch value {
        case .string(let text):
            if let maxLength, text.unicodeScalars.count > maxLength {
                throw .inputNotValid(self.name, rule: "at most \(maxLength) characters")
            }
            if let pattern, !pattern.matches(text) {
                throw .inputNotValid(self.name, rule: "it must match \(pattern.source)")
            }
        case .integer, .number:
            let number = value.doubleValue!
            if let minimum, number < minimum {
                throw .inputNotValid(self.name, rule: "at least \(JSONValue.plain(minimum))")
            }
            if let maximum, number > maximum {
                throw .inputNotValid(self.name, rule: "at most \(JSONValue.plain(maximum))")
            }
        default:
            break
        }
    }
}

/// A regular expression an input's text must contain a match of, kept with its source.
public struct InputPattern: @unchecked Sendable {
    // Sendable: a compiled Regex is an immutable value; matching does not change it.
    public let source: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `source`; nil when it is not a regular expression.
    public init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex
    }

    func matches(_ text: String) -> Bool {
        (try? self.regex.firstMatch(in: text)) != nil
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
