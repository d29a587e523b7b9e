import Foundation

/// Microsoft Dynamics 365 (Dataverse) behind Microsoft Entra ID, as learn.microsoft.com words
/// them:
///
/// - "Microsoft identity platform and the OAuth 2.0 client credentials flow":
///   `POST /{tenant}/oauth2/v2.0/token` with `client_id`, `client_secret`, `grant_type=
///   client_credentials` and `scope` (the resource's `https://ORG.crm.dynamics.com/.default`);
///   the answer is `{"token_type": "Bearer", "expires_in", "ext_expires_in", "access_token"}`;
///   a wrong secret is 401 `{"error": "invalid_client", "error_description": "AADSTS7000215: …"}`,
///   a missing scope 400 `invalid_request` (AADSTS90014);
/// - Dataverse Web API, "Query data using the Web API": `GET /api/data/v9.2/contacts?$select=…&
///   $filter=telephone1 eq '…'&$top=1` with `OData-MaxVersion: 4.0`, `OData-Version: 4.0` and
///   `Accept: application/json`; answers `{"@odata.context", "value": [{"@odata.etag", …}]}`;
/// - "Compose HTTP requests and handle errors": errors are `{"error": {"code", "message"}}`;
///   a request without a valid token is 401 with `WWW-Authenticate: Bearer authorization_uri=…`;
///   "Service protection API limits": 429 with `Retry-After` and code `0x80072322`.
///
/// The `$filter` read here: `field eq 'value'` terms joined by ` or `.
public enum DynamicsAPI: DocumentedAPI {
    public static let tenant = "contoso-tenant"
    public static let clientId = "2f1a0b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
    public static let clientSecret = "entra-client-secret-91b2~x"
    public static let organization = "https://contoso.crm.dynamics.com"

    static var contacts: [[String: Any]] {
        [
            [
                "@odata.etag": "W/\"4711\"", "contactid": "2b6c5d86-1f3e-4a5b-9c8d-7e6f5a4b3c2d", "fullname": "Ada Lovelace",
                "emailaddress1": "ada.lovelace@example.com", "telephone1": "+15551234567", "mobilephone": NSNull(), "creditlimit": 5000.0,
            ],
            [
                "@odata.etag": "W/\"4712\"", "contactid": "3c7d6e97-2f4a-4b6c-8d9e-8f7a6b5c4d3e", "fullname": "Alan Turing",
                "emailaddress1": NSNull(), "telephone1": NSNull(), "mobilephone": "+15550000001", "creditlimit": NSNull(),
            ],
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        if request.path == "/\(Self.tenant)/oauth2/v2.0/token" { return Self.token(request, stub: stub) }
        guard request.path.hasPrefix("/api/data/") else { return nil }
        guard let token = request.bearerToken, stub.accepts(token: token) else {
            return StubAnswer(
                401,
                "",
                headers: [
                    (
                        "WWW-Authenticate",
                        "Bearer authorization_uri=https://login.microsoftonline.com/\(Self.tenant)/oauth2/authorize, resource_id=\(Self.organization)/"
                    )
                ]
            )
        }
        guard request.method == "GET", request.path == "/api/data/v9.2/contacts", request.headers["odata-version"] == "4.0",
            request.headers["odata-maxversion"] == "4.0"
        else { return Self.error(400, "0x80060888", "Resource not found for the segment or the OData headers are missing.") }
        let terms = (request.query["$filter"] ?? "").components(separatedBy: " or ").map { $0.wholeMatch(of: #/([a-z0-9]+) eq '([^']*)'/#) }
        guard !terms.isEmpty, terms.allSatisfy({ $0 != nil }) else {
            return Self.error(400, "0x80060888", "Syntax error at position 1 in '\(request.query["$filter"] ?? "")'.")
        }
        if terms.contains(where: { $0!.2.hasSuffix("0500") }) {
            return StubAnswer(
                429,
                json(["error": ["code": "0x80072322", "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds."]]),
                headers: [("Retry-After", "20")]
            )
        }
        let selected = (request.query["$select"] ?? "").split(separator: ",").map(String.init)
        let matching = Self.contacts.filter { contact in terms.contains { contact[String($0!.1)] as? String == String($0!.2) } }
        let top = request.query["$top"].flatMap(Int.init) ?? 5000
        let value = matching.prefix(top).map { contact in
            contact.filter { $0.key == "@odata.etag" || $0.key == "contactid" || selected.contains($0.key) }
        }
        return StubAnswer(
            200,
            json(["@odata.context": "\(Self.organization)/api/data/v9.2/$metadata#contacts(\(selected.joined(separator: ",")))", "value": value]),
            headers: [("OData-Version", "4.0")]
        )
    }

    private static func token(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer {
        let form = StubRequest.form(request.body)
        guard request.method == "POST", form["grant_type"] == "client_credentials" else {
            return StubAnswer(
                400,
                json(["error": "unsupported_grant_type", "error_description": "AADSTS70003: The app requested an unsupported grant type."])
            )
        }
        guard form["scope"] == "\(Self.organization)/.default" else {
            return StubAnswer(
                400,
                json(["error": "invalid_request", "error_description": "AADSTS90014: The required field 'scope' is missing from the credential."])
            )
        }
        guard form["client_id"] == Self.clientId, form["client_secret"] == Self.clientSecret else {
            return StubAnswer(
                401,
                json(["error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7_000_215]])
            )
        }
        let (token, _) = stub.issueToken()
        return StubAnswer(200, json(["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token]))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> StubAnswer {
        StubAnswer(status, json(["error": ["code": code, "message": message]]))
    }
}
