import Foundation

/// Zendesk Support's API, as its reference documents it (developer.zendesk.com):
///
/// - "Security and authentication": an API token is sent with HTTP Basic as
///   `{email_address}/token:{api_token}`; without valid credentials, 401
///   `{"error": "Couldn't authenticate you"}`;
/// - Users, "Search Users": `GET /api/v2/users/search?query=…` (the search syntax, e.g.
///   `phone:+15551234567`) answers `{"users": [ … ], "next_page", "previous_page", "count"}`;
///   ids are integers, `tags` a list of strings;
/// - Search, "List Search Results": `GET /api/v2/search?query=type:ticket requester:ID
///   status<solved` answers `{"results": [ … each with "result_type" ], "facets", "next_page",
///   "previous_page", "count"}`, `status<solved` being new, open, pending and hold;
/// - "Rate limits": past the limit, 429 with a `Retry-After` header.
///
/// Either path may end in `.json`.
public enum ZendeskAPI: DocumentedAPI {
    public static let email = "agent@example.com"
    public static let apiToken = "zd-api-token-8b3e41f0"
    /// A user with no open tickets.
    public static let quietUserId = 35_437

    static var users: [[String: Any]] {
        [
            [
                "id": 35_436, "url": "https://example.zendesk.com/api/v2/users/35436.json", "name": "Ada Lovelace",
                "email": "ada.lovelace@example.com", "phone": "+15551234567", "role": "end-user", "organization_id": 57_542,
                "tags": ["vip", "billing"], "suspended": false, "time_zone": "London",
            ],
            [
                "id": quietUserId, "url": "https://example.zendesk.com/api/v2/users/35437.json", "name": "Alan Turing", "email": NSNull(),
                "phone": "+15550000001", "role": "end-user", "organization_id": NSNull(), "tags": [], "suspended": false,
                "time_zone": "London",
            ],
        ]
    }

    static var tickets: [[String: Any]] {
        [
            ["id": 101, "subject": "Invoice is wrong", "status": "open", "priority": "high", "requester_id": 35_436],
            ["id": 102, "subject": "Card declined", "status": "pending", "priority": NSNull(), "requester_id": 35_436],
            ["id": 99, "subject": "Password reset", "status": "solved", "priority": "low", "requester_id": 35_436],
            ["id": 98, "subject": "Old question", "status": "closed", "priority": "low", "requester_id": quietUserId],
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        let path = request.path.hasSuffix(".json") ? String(request.path.dropLast(5)) : request.path
        guard path == "/api/v2/users/search" || path == "/api/v2/search" else { return nil }
        guard let credentials = request.basicCredentials, credentials.user == "\(Self.email)/token", credentials.password == Self.apiToken
        else { return StubAnswer(401, json(["error": "Couldn't authenticate you"])) }
        guard request.method == "GET", let query = request.query["query"] else {
            return StubAnswer(400, json(["error": "InvalidEndpoint", "description": "Not found"]))
        }
        // The search syntax: `keyword:value` terms and `status<solved`, separated by spaces.
        let terms = query.split(separator: " ").map(String.init)
        if terms.contains(where: { $0.hasSuffix("0500") }) {
            return StubAnswer(429, json(["error": "TooManyRequests", "description": "Rate limit exceeded"]), headers: [("Retry-After", "30")])
        }
        if path == "/api/v2/users/search" {
            let phone = terms.first { $0.hasPrefix("phone:") }.map { String($0.dropFirst(6)) }
            let users = Self.users.filter { phone != nil && $0["phone"] as? String == phone }
            return StubAnswer(200, json(["users": users, "next_page": NSNull(), "previous_page": NSNull(), "count": users.count]))
        }
        guard terms.contains("type:ticket"), let requester = terms.first(where: { $0.hasPrefix("requester:") }).flatMap({ Int($0.dropFirst(10)) })
        else { return StubAnswer(200, json(["results": [], "facets": NSNull(), "next_page": NSNull(), "previous_page": NSNull(), "count": 0])) }
        let unsolved = terms.contains("status<solved")
        let results = Self.tickets.filter {
            $0["requester_id"] as? Int == requester && (!unsolved || !["solved", "closed"].contains($0["status"] as? String))
        }.map { $0.merging(["result_type": "ticket"]) { $1 } }
        return StubAnswer(
            200,
            json(["results": results, "facets": NSNull(), "next_page": NSNull(), "previous_page": NSNull(), "count": results.count])
        )
    }
}
