/// Why an input value is refused: the actions model's part of the contract's 400 answers,
/// which the service words (`ContractViolation`).
public enum InputRefusal: Error, Equatable, Sendable {
    /// A required input is missing, null or an empty string.
    case required(String)
    /// The value is not of the input's type.
    case wrongType(String, ValueType)
    /// The value breaks a rule; `rule` says what it must be, e.g. "at most 128 characters".
    case notValid(String, rule: String)
    /// The value is `.` or `..` in a URL path segment.
    case notPathSegment(String)
    /// A URL path segment would be empty.
    case emptyPathSegment(String)
}
