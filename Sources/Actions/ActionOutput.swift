import JSON

/// One output of an action: a flat scalar Architect maps into a flow variable.
///
/// Outputs are scalars only. A nested value of the record is reached by its path
/// (`$.account.id`), which gives Architect a plain variable; objects and arrays are not passed
/// on (docs/DECISIONS.md).
public struct ActionOutput: Sendable {
    /// Where the value comes from.
    public enum Source: Sendable, Equatable {
        /// True when a record was found, false when it was not.
        case found
        /// A value of the record.
        case path(JSONPath)
    }

    /// The output's key in the answer's `outputs`.
    public var name: String
    public var source: Source
    /// Always boolean for ``Source/found``.
    public var type: ValueType
    /// Shown in Genesys.
    public var description: String?

    public init(name: String, source: Source, type: ValueType, description: String? = nil) {
        self.name = name
        self.source = source
        self.type = source == .found ? .boolean : type
        self.description = description
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
        case .path(let path):
            guard let record, let value = path.evaluate(inObject: record) else { return nil }
            switch (self.type, value) {
            case (.string, .string), (.integer, .integer), (.number, .number), (.number, .integer), (.boolean, .bool): return value
            default: return nil
            }
        }
    }
}
