import JSON

/// One output of an action: what Architect maps into a flow variable.
///
/// An output is a scalar or a list of scalars (a collection variable in Architect): a nested
/// value of the record is reached by its path (`$.account.id`), a list's values by `[*]`
/// (`$.line_items[*].title`) and its length by `count`; objects themselves are not passed on
/// (docs/DECISIONS.md).
public struct ActionOutput: Sendable {
    /// Where the value comes from.
    public enum Source: Sendable, Equatable {
        /// True when a record was found, false when it was not.
        case found
        /// A value of the record.
        case path(JSONPath)
        /// How many elements the list at the path holds: 0 when it is absent or empty.
        case count(JSONPath)
        /// The values the path names, as an array of ``type``: a path with `[*]`, or one that
        /// names an array.
        case list(JSONPath)
    }

    /// The output's key in the answer's `outputs`.
    public var name: String
    public var source: Source
    /// Always boolean for ``Source/found``; the elements' type for ``Source/list``.
    public var type: ValueType
    /// Shown in Genesys.
    public var description: String?
    /// Whether a number, integer or boolean written as a JSON string (`"12.50"`, `"3"`,
    /// `"true"`) is taken as that value.
    public var coerce: Bool

    public init(name: String, source: Source, type: ValueType, description: String? = nil, coerce: Bool = false) {
        self.name = name
        self.source = source
        self.type =
            switch source {
            case .found: .boolean
            case .count: .integer
            case .path, .list: type
            }
        self.description = description
        self.coerce = coerce
    }

    /// The output's value for a record (nil when none was found), or nil when it has none.
    ///
    /// A value that is missing, null or of another type has none: the output is left out of the
    /// answer rather than written as `null`. Genesys maps each output with a JSONPath and a
    /// default, and uses the default only when the path does not resolve: a `null` resolves,
    /// skips the default and renders in the success template as the literal text `${name}`,
    /// which fails the action. Left out, the exported action's default applies.
    public func value(for record: [String: JSONValue]?) -> JSONValue? {
        switch self.source {
        case .found:
            return .bool(record != nil)
        case .count(let path):
            guard let record else { return nil }
            switch path.evaluate(inObject: record) {
            case nil, .null?: return .integer(0)
            case .array(let elements)?: return .integer(Int64(elements.count))
            case _?: return nil
            }
        case .path(let path):
            guard let record, let value = path.evaluate(inObject: record) else { return nil }
            return self.typed(value)
        case .list(let path):
            guard let record, let elements = path.elements(inObject: record) else { return nil }
            return .array(elements.compactMap(self.typed))
        }
    }

    /// `value` when it is of the output's type (or written as one, with ``coerce``).
    private func typed(_ value: JSONValue) -> JSONValue? {
        switch (self.type, value) {
        case (.string, .string), (.integer, .integer), (.number, .number), (.number, .integer), (.boolean, .bool): value
        case (_, .string(let text)) where self.coerce: Self.coerced(text, to: self.type)
        default: nil
        }
    }

    /// `text` as a value of `type`, when it is written as one: a JSON number (an integer for
    /// `integer`), or `true`/`false`.
    static func coerced(_ text: String, to type: ValueType) -> JSONValue? {
        guard let parsed = try? JSONValue.parse(Array(text.utf8)) else { return nil }
        switch (type, parsed) {
        case (.integer, .integer), (.number, .number), (.boolean, .bool): return parsed
        case (.number, .integer(let value)): return .number(Double(value))
        default: return nil
        }
    }
}
