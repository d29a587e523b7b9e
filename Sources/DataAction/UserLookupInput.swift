/// The inputs of a user lookup, read from a Data Action request body.
///
/// Two shapes are accepted: the flat input object Genesys sends with its default request
/// template `${input.rawRequest}` (`{"userId":"1"}`), and the tutorial's envelope
/// (`{"inputs":{"userId":"1"},"context":{…}}`). Unknown keys are ignored: Genesys may add
/// its own.
struct UserLookupInput: Equatable {
    /// The user to look up.
    let userId: UserIdentifier

    /// Reads the inputs from a complete body, applying the contract's checks in order.
    init(body: [UInt8]) throws(ContractViolation) {
        guard !body.isEmpty else { throw .emptyBody }
        let members: [String: JSONValue]
        do {
            guard let object = try JSONValue.parse(body).objectValue else { throw ContractViolation.bodyNotObject }
            members = object
        } catch {
            throw .bodyNotObject
        }
        var inputs = members
        if let envelope = members["inputs"] {
            guard let object = envelope.objectValue else { throw .inputsNotObject }
            inputs = object
        }
        switch inputs["userId"] {
        case nil, .null?:
            throw .userIdRequired
        case .string(let text)?:
            guard !text.isEmpty else { throw .userIdRequired }
            guard let identifier = UserIdentifier(text) else { throw .userIdUnsafe }
            self.userId = identifier
        case .integer(let number)?:
            self.userId = UserIdentifier(String(number))!
        default:
            throw .userIdWrongType
        }
    }
}
