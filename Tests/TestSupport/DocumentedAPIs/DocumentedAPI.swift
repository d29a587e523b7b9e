import Foundation

/// A request as a documented API's stub reads it.
public struct StubRequest: Sendable {
    public var method: String
    /// The path, still percent-encoded.
    public var path: String
    /// The query's parameters, decoded as a form is (`+` is a space); the first of a name wins.
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: String

    init(method: String, uri: String, headers: [String: String], body: String) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts[0])
        self.query = parts.count > 1 ? Self.form(String(parts[1])) : [:]
        self.headers = headers
        self.body = body
    }

    /// `a=1&b=x+y` as `["a": "1", "b": "x y"]`.
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if fields[parts[0]] == nil { fields[parts[0]] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    /// The body as a JSON object, when it is one.
    var jsonObject: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) as? [String: Any]
    }

    /// The user and password of an `Authorization: Basic` header.
    var basicCredentials: (user: String, password: String)? {
        guard let header = self.headers["authorization"], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    /// The token of an `Authorization: Bearer` header.
    var bearerToken: String? {
        guard let header = self.headers["authorization"], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }
}

/// What a documented API's stub answers.
public struct StubAnswer: Sendable {
    public var status: Int
    public var body: String
    public var headers: [(String, String)]

    init(_ status: Int, _ body: String, headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

/// A well-known API as its documentation says it answers, for the recipes in deploy/recipes/:
/// its paths, query syntax, authentication, answers and errors. Each stub cites its pages.
protocol DocumentedAPI {
    /// The answer to `request`, or nil when the path is not this API's.
    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer?
}

extension UpstreamStub {
    /// The documented APIs the stub plays, asked in order.
    static let documentedAPIs: [any DocumentedAPI.Type] = [
        ServiceNowAPI.self, ZendeskAPI.self, HubSpotAPI.self, SalesforceAPI.self, DynamicsAPI.self, ShopifyAPI.self, GraphQLAPI.self,
    ]
}

/// JSON text of a value made of dictionaries, arrays, strings, numbers, booleans and NSNull.
func json(_ value: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
}
