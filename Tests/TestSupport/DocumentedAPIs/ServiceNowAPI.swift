import Foundation

/// ServiceNow's Table API, as its reference documents it (developer.servicenow.com, REST API
/// reference, "Table API": `GET /now/table/{tableName}` with `sysparm_query`, `sysparm_fields`
/// and `sysparm_limit`; `PATCH /now/table/{tableName}/{sys_id}`), behind HTTP Basic:
///
/// - every field value is a string (`"active": "true"`, `"state": "2"`), an empty field `""`; a
///   reference field is an object `{"link": …, "value": sys_id}`; only the `sysparm_fields`
///   asked for are answered;
/// - a list answers `{"result": [ … ]}` (empty when nothing matches), a record
///   `{"result": { … }}`;
/// - an error answers `{"error": {"message", "detail"}, "status": "failure"}`: 401 "User Not
///   Authenticated" without valid credentials, 404 "No Record found" for an unknown sys_id.
///
/// Encoded queries (`sysparm_query`) are `field=value` conditions joined with `^` (and) or
/// `^OR` (or); this stub reads those two.
public enum ServiceNowAPI: DocumentedAPI {
    public static let user = "genesys.integration"
    public static let password = "sn-integration-pw-2f9c"
    /// The sys_id of the incident INC0010001.
    public static let incidentSysId = "9d385017c611228701d22104cc95c371"

    static var users: [[String: Any]] {
        [
            [
                "sys_id": "62826bf03710200044e0bfc8bcbe5df1", "name": "Ada Lovelace", "email": "ada.lovelace@example.com",
                "phone": "+15551234567", "mobile_phone": "", "vip": "true", "active": "true",
                "location": [
                    "link": "https://instance.service-now.com/api/now/table/cmn_location/25ab9c4d0a0a0bb300f7dabdc0ca7c1c",
                    "value": "25ab9c4d0a0a0bb300f7dabdc0ca7c1c",
                ],
            ],
            [
                "sys_id": "46d44a23a9fe19810012d100cca80666", "name": "Alan Turing", "email": "", "phone": "",
                "mobile_phone": "+15550000001", "vip": "false", "active": "true", "location": "",
            ],
        ]
    }

    static var incidents: [[String: Any]] {
        [
            [
                "sys_id": incidentSysId, "number": "INC0010001", "short_description": "Email client does not start", "state": "2",
                "priority": "3", "opened_at": "2026-11-30 09:12:44", "work_notes": "",
                "caller_id": [
                    "link": "https://instance.service-now.com/api/now/table/sys_user/62826bf03710200044e0bfc8bcbe5df1",
                    "value": "62826bf03710200044e0bfc8bcbe5df1",
                ],
            ]
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        guard request.path.hasPrefix("/api/now/table/") else { return nil }
        guard let credentials = request.basicCredentials, credentials.user == Self.user, credentials.password == Self.password else {
            return Self.error(401, "User Not Authenticated", "Required to provide Auth information")
        }
        let parts = request.path.dropFirst("/api/now/table/".count).split(separator: "/").map(String.init)
        let table: [[String: Any]]
        switch parts.first {
        case "sys_user": table = Self.users
        case "incident": table = Self.incidents
        default: return Self.error(400, "Invalid table", "Invalid table \(parts.first ?? "")")
        }
        let fields = request.query["sysparm_fields"].map { $0.split(separator: ",").map(String.init) }
        func shown(_ record: [String: Any]) -> [String: Any] {
            guard let fields else { return record }
            return record.filter { fields.contains($0.key) }
        }
        switch (request.method, parts.count) {
        case ("GET", 1):
            let conditions = request.query["sysparm_query"] ?? ""
            // A value ending in 0500 plays the instance failing the query.
            if conditions.hasSuffix("0500") { return Self.error(500, "Server Error", "Transaction cancelled: maximum execution time exceeded") }
            let limit = request.query["sysparm_limit"].flatMap(Int.init) ?? 10_000
            let matching = table.filter { Self.matches($0, conditions) }.prefix(limit)
            return StubAnswer(200, json(["result": matching.map(shown)]))
        case ("PATCH", 2):
            guard request.headers["content-type"]?.hasPrefix("application/json") == true, let changes = request.jsonObject else {
                return Self.error(400, "Exception while reading request", "The payload is not valid JSON.")
            }
            guard var record = table.first(where: { $0["sys_id"] as? String == parts[1] }) else {
                return Self.error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
            }
            // Work notes are a journal: written, then read back empty.
            for (name, value) in changes where name != "work_notes" { record[name] = value }
            record["sys_updated_by"] = Self.user
            record["sys_updated_on"] = "2026-12-03 09:00:00"
            return StubAnswer(200, json(["result": shown(record)]))
        default:
            return Self.error(405, "Method not Supported", "\(request.method) is not supported on this resource")
        }
    }

    /// Whether `record` satisfies an encoded query of `field=value` conditions: `^` joins them
    /// with and, `^OR` with or, which binds tighter (`a=1^ORb=2^c=3` is (a or b) and c).
    static func matches(_ record: [String: Any], _ query: String) -> Bool {
        query.replacingOccurrences(of: "^OR", with: "\u{1}").split(separator: "^").allSatisfy { group in
            group.split(separator: "\u{1}").contains { condition in
                let pair = condition.split(separator: "=", maxSplits: 1).map(String.init)
                return pair.count == 2 && record[pair[0]] as? String == pair[1]
            }
        }
    }

    static func error(_ status: Int, _ message: String, _ detail: String) -> StubAnswer {
        StubAnswer(status, json(["error": ["message": message, "detail": detail], "status": "failure"]))
    }
}
