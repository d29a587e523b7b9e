/// The outputs of a user lookup, in the `{"outputs": {…}}` envelope Architect maps from.
///
/// A user who is not found is a success (200) with `userFound: false`, so the flow can branch
/// on it; only failures to get an answer are errors.
///
/// An output with no value (the user was not found, or the directory's field is missing, null
/// or not a string) is left out rather than written as `null`. Genesys maps each output with a
/// JSONPath and a default, and uses the default only when the path does not resolve: a `null`
/// resolves, skips the default and renders in the success template as the literal text
/// `${userName}`, which fails the action. Left out, the exported action's default (`""`) applies.
struct UserLookupOutputs {
    /// The user found, or nil when the directory answered 404.
    let found: UserRecord?

    /// The 200 answer.
    var response: DataActionResponse {
        var outputs: [String: JSONValue] = ["userFound": .bool(self.found != nil)]
        outputs["userName"] = self.found?.name.map(JSONValue.string)
        outputs["userEmail"] = self.found?.email.map(JSONValue.string)
        outputs["userPhone"] = self.found?.phone.map(JSONValue.string)
        return DataActionResponse(status: 200, body: .object(["outputs": .object(outputs)]))
    }
}
