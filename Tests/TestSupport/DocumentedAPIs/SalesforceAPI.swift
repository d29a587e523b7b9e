import Foundation

/// Salesforce, as its documentation words it:
///
/// - "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration" (help.salesforce.com):
///   `POST /services/oauth2/token` with `grant_type=client_credentials`, `client_id` and
///   `client_secret` in the form; the answer has `access_token`, `instance_url`, `id`,
///   `token_type`, `issued_at`, `signature` and `scope`, and no `expires_in`: the session lasts
///   the org's session timeout; a wrong client is 400 `{"error": "invalid_client"}`;
/// - REST API Developer Guide, "Execute a SOQL Query": `GET /services/data/vXX.X/query?q=SELECT …`
///   answers `{"totalSize", "done", "records": [{"attributes": {"type", "url"}, field: value …}]}`,
///   a relationship field (`Account.Name`) as a nested record;
/// - "Status Codes and Error Responses": errors are a list, `[{"message", "errorCode"}]`: 401
///   `INVALID_SESSION_ID`, 400 `MALFORMED_QUERY`, 403 `REQUEST_LIMIT_EXCEEDED`.
///
/// The SOQL read here: `SELECT fields FROM Object WHERE Field = 'value' [AND Field = false]
/// [ORDER BY Field ASC|DESC] [LIMIT n]`.
public enum SalesforceAPI: DocumentedAPI {
    public static let clientId = "3MVG9sf-connected-app-consumer-key"
    public static let clientSecret = "sf-consumer-secret-6a1d0c"
    public static let apiVersion = "v60.0"
    public static let contactId = "0035g00000ABCdeAAF"
    /// A contact with no open case.
    public static let quietContactId = "0035g00000XYZabAAB"

    static var records: [String: [[String: Any]]] {
        [
            "Contact": [
                [
                    "Id": contactId, "Name": "Ada Lovelace", "Email": "ada.lovelace@example.com", "Phone": "+15551234567",
                    "Account": [
                        "attributes": ["type": "Account", "url": "/services/data/v60.0/sobjects/Account/0015g00000AcmeAAA"],
                        "Name": "Analytical Engines Ltd",
                    ],
                ],
                ["Id": quietContactId, "Name": "Alan Turing", "Email": NSNull(), "Phone": "+15550000001", "Account": NSNull()],
            ],
            "Case": [
                [
                    "Id": "5005g00000C1", "CaseNumber": "00001026", "Subject": "Invoice is wrong", "Status": "Working", "ContactId": contactId,
                    "IsClosed": false, "CreatedDate": "2026-11-30",
                ],
                [
                    "Id": "5005g00000C2", "CaseNumber": "00001031", "Subject": "Card declined", "Status": "New", "ContactId": contactId,
                    "IsClosed": false, "CreatedDate": "2026-12-01",
                ],
                [
                    "Id": "5005g00000C0", "CaseNumber": "00001001", "Subject": "Password reset", "Status": "Closed", "ContactId": contactId,
                    "IsClosed": true, "CreatedDate": "2026-10-01",
                ],
            ],
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        if request.path == "/services/oauth2/token" { return Self.token(request, stub: stub) }
        guard request.path.hasPrefix("/services/data/") else { return nil }
        guard let token = request.bearerToken, stub.accepts(token: token) else {
            return Self.error(401, "Session expired or invalid", "INVALID_SESSION_ID")
        }
        guard request.method == "GET", request.path == "/services/data/\(Self.apiVersion)/query", let soql = request.query["q"] else {
            return Self.error(404, "The requested resource does not exist", "NOT_FOUND")
        }
        guard let query = Query(soql), let table = Self.records[query.object] else {
            return Self.error(400, "unexpected token: '\(soql.prefix(40))'", "MALFORMED_QUERY")
        }
        if query.conditions.contains(where: { "\($0.value)".hasSuffix("0500") }) {
            return Self.error(403, "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED")
        }
        var matching = table.filter { record in query.conditions.allSatisfy { "\(record[$0.field] ?? NSNull())" == "\($0.value)" } }
        if let order = query.orderBy {
            matching.sort { ("\($0[order.field] ?? "")" < "\($1[order.field] ?? "")") == order.ascending }
        }
        let records = matching.prefix(query.limit ?? Int.max).map { record in
            var shown: [String: Any] = [
                "attributes": ["type": query.object, "url": "/services/data/\(Self.apiVersion)/sobjects/\(query.object)/\(record["Id"]!)"]
            ]
            for field in query.fields {
                let name = String(field.split(separator: ".")[0])
                shown[name] = record[name] ?? NSNull()
            }
            return shown
        }
        return StubAnswer(200, json(["totalSize": records.count, "done": true, "records": records]))
    }

    private static func token(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer {
        let form = StubRequest.form(request.body)
        guard request.method == "POST", request.headers["content-type"] == "application/x-www-form-urlencoded" else {
            return StubAnswer(400, json(["error": "invalid_request", "error_description": "must use POST with a form"]))
        }
        guard form["grant_type"] == "client_credentials" else {
            return StubAnswer(400, json(["error": "unsupported_grant_type", "error_description": "grant type not supported"]))
        }
        guard form["client_id"] == Self.clientId, form["client_secret"] == Self.clientSecret else {
            return StubAnswer(400, json(["error": "invalid_client", "error_description": "invalid client credentials"]))
        }
        let (token, _) = stub.issueToken()
        return StubAnswer(
            200,
            json([
                "access_token": token, "signature": "c2lnbmF0dXJl", "scope": "api", "instance_url": "https://example.my.salesforce.com",
                "id": "https://login.salesforce.com/id/00D5g000000XXXXEAA/0055g000000YYYYAAA", "token_type": "Bearer",
                "issued_at": "1764752400000",
            ])
        )
    }

    static func error(_ status: Int, _ message: String, _ code: String) -> StubAnswer {
        StubAnswer(status, json([["message": message, "errorCode": code]]))
    }

    /// A SOQL query of the shape this stub reads.
    struct Query {
        var fields: [String]
        var object: String
        var conditions: [(field: String, value: Any)] = []
        var orderBy: (field: String, ascending: Bool)?
        var limit: Int?

        init?(_ text: String) {
            let pattern =
                #/^SELECT ([A-Za-z.]+(?:, [A-Za-z.]+)*) FROM ([A-Za-z]+) WHERE (.+?)(?: ORDER BY ([A-Za-z]+) (ASC|DESC))?(?: LIMIT ([0-9]+))?$/#
            guard let match = text.wholeMatch(of: pattern) else { return nil }
            self.fields = match.1.components(separatedBy: ", ")
            self.object = String(match.2)
            for condition in match.3.components(separatedBy: " AND ") {
                guard let term = condition.wholeMatch(of: #/([A-Za-z]+) = (?:'([^'\\]*)'|(true|false))/#) else { return nil }
                self.conditions.append((String(term.1), term.2.map(String.init) ?? (term.3 == "true") as Any))
            }
            if let field = match.4 { self.orderBy = (String(field), match.5 == "ASC") }
            self.limit = match.6.flatMap { Int($0) }
        }
    }
}
