/// The outputs of a user lookup, in the `{"outputs": {…}}` envelope Architect maps from.
///
/// A user who is not found is a success (200) with `userFound: false` and the other outputs
/// null, so the flow can branch on it; only failures to get an answer are errors.
struct UserLookupOutputs {
    /// The user found, or nil when the directory answered 404.
    let found: UserRecord?

    /// The 200 answer.
    var response: DataActionResponse {
        let outputs: [String: JSONValue] = [
            "userFound": .bool(self.found != nil),
            "userName": Self.value(self.found?.name),
            "userEmail": Self.value(self.found?.email),
            "userPhone": Self.value(self.found?.phone),
        ]
        return DataActionResponse(status: 200, body: .object(["outputs": .object(outputs)]))
    }

    private static func value(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
