import Foundation

/// A GraphQL API served over HTTP as the GraphQL specification (spec.graphql.org, October 2021,
/// §7 "Response") and graphql.org's "Serving over HTTP" word it: a POST of
/// `{"query", "variables"}` as JSON answers 200 with `data`, and `errors` (a list of objects
/// with a `message`, and `extensions`) when a field failed, `data` then null where it could
/// not be had; a request that is not a query is 400 with `errors`.
///
/// `/graphql` is open; `/api/graphql` wants `Authorization: Bearer` with ``token`` and is 401
/// without it. The schema: `customer(phone: String!): Customer` with `id`, `name`, `email`,
/// `tier` and `openOrders { number }`.
public enum GraphQLAPI: DocumentedAPI {
    public static let token = "gql-api-token-5c9e2a7b"

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        guard request.path == "/graphql" || request.path == "/api/graphql" else { return nil }
        if request.path == "/api/graphql" && request.bearerToken != Self.token {
            return StubAnswer(401, json(["errors": [["message": "Unauthorized", "extensions": ["code": "UNAUTHENTICATED"]]]]))
        }
        guard request.method == "POST", let body = request.jsonObject, body["query"] is String,
            let phone = (body["variables"] as? [String: Any])?["phone"] as? String
        else { return StubAnswer(400, json(["errors": [["message": "Must provide query string."]]])) }
        switch phone {
        case "+15551234567":
            return StubAnswer(
                200,
                #"{"data":{"customer":{"id":"cus_1","phone":"+15551234567","name":"Ada Lovelace","email":"ada.lovelace@example.com","tier":"gold","openOrders":[{"number":1001},{"number":1002}]}},"errors":[]}"#
            )
        case "+15550000429", "+15550000500":
            return StubAnswer(
                200,
                #"{"errors":[{"message":"Throttled: too many requests\nretry later","extensions":{"code":"THROTTLED"}}],"data":{"customer":null}}"#
            )
        default:
            return StubAnswer(200, #"{"data":{"customer":null}}"#)
        }
    }
}
