import Foundation

/// HubSpot's CRM search, as its documentation words it (developers.hubspot.com, "CRM API |
/// Search"; "Authentication": a private app's access token as `Authorization: Bearer`;
/// "Error handling"):
///
/// - `POST /crm/v3/objects/contacts/search` with `{"filterGroups": [{"filters": [{"propertyName",
///   "operator": "EQ", "value"}]}], "properties": [ … ], "limit"}`;
/// - answers `{"total", "results": [{"id", "properties", "createdAt", "updatedAt", "archived"}]}`:
///   the id and every property value are strings; the properties asked for come back, with
///   `createdate`, `hs_object_id` and `lastmodifieddate` always;
/// - errors are `{"status": "error", "message", "correlationId", "category"}`: 401
///   `INVALID_AUTHENTICATION`, 400 `VALIDATION_ERROR`; past the rate limit 429 with
///   `"errorType": "RATE_LIMIT"` and the policy's name.
public enum HubSpotAPI: DocumentedAPI {
    public static let accessToken = "pat-na1-7d1e2c3b-4a59-4f6e-8d7c-2b1a0f9e8d7c"

    static var contacts: [[String: Any]] {
        [
            [
                "id": "512", "createdAt": "2026-01-12T10:00:00.000Z", "updatedAt": "2026-11-02T16:30:00.000Z", "archived": false,
                "properties": [
                    "createdate": "2026-01-12T10:00:00.000Z", "hs_object_id": "512", "lastmodifieddate": "2026-11-02T16:30:00.000Z",
                    "firstname": "Ada", "lastname": "Lovelace", "email": "ada.lovelace@example.com", "phone": "+15551234567",
                    "lifecyclestage": "customer",
                ],
            ],
            [
                "id": "513", "createdAt": "2026-02-01T08:00:00.000Z", "updatedAt": "2026-02-01T08:00:00.000Z", "archived": false,
                "properties": [
                    "createdate": "2026-02-01T08:00:00.000Z", "hs_object_id": "513", "lastmodifieddate": "2026-02-01T08:00:00.000Z",
                    "firstname": "Alan", "lastname": NSNull(), "email": NSNull(), "phone": "+15550000001", "lifecyclestage": "lead",
                ],
            ],
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        guard request.path.hasPrefix("/crm/v3/objects/") else { return nil }
        guard request.bearerToken == Self.accessToken else {
            return Self.error(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                category: "INVALID_AUTHENTICATION"
            )
        }
        guard request.method == "POST", request.path == "/crm/v3/objects/contacts/search",
            request.headers["content-type"]?.hasPrefix("application/json") == true, let search = request.jsonObject,
            let groups = search["filterGroups"] as? [[String: Any]]
        else { return Self.error(400, "Invalid input JSON on line 1", category: "VALIDATION_ERROR") }
        let filters = groups.compactMap { $0["filters"] as? [[String: Any]] }
        for filter in filters.joined() where filter["operator"] as? String != "EQ" || filter["propertyName"] == nil {
            return Self.error(400, "There was a problem with the request.", category: "VALIDATION_ERROR")
        }
        if filters.joined().contains(where: { ($0["value"] as? String)?.hasSuffix("0500") == true }) {
            return StubAnswer(
                429,
                json([
                    "status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                    "correlationId": "c7d1a2b3-0000-4000-8000-000000000429", "policyName": "SECONDLY",
                ])
            )
        }
        // Groups are or'ed, the filters in a group and'ed.
        let matching = Self.contacts.filter { contact in
            let properties = contact["properties"] as? [String: Any] ?? [:]
            return filters.contains { group in
                group.allSatisfy { properties[$0["propertyName"] as? String ?? ""] as? String == $0["value"] as? String }
            }
        }
        let asked = Set((search["properties"] as? [String]) ?? ["firstname", "lastname", "email"]).union([
            "createdate", "hs_object_id", "lastmodifieddate",
        ])
        let limit = search["limit"] as? Int ?? 10
        let results = matching.prefix(limit).map { contact in
            contact.merging(["properties": (contact["properties"] as? [String: Any] ?? [:]).filter { asked.contains($0.key) }]) { $1 }
        }
        return StubAnswer(200, json(["total": matching.count, "results": results]))
    }

    static func error(_ status: Int, _ message: String, category: String) -> StubAnswer {
        StubAnswer(
            status,
            json(["status": "error", "message": message, "correlationId": "c7d1a2b3-0000-4000-8000-00000000\(status)0", "category": category])
        )
    }
}
