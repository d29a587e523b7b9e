import Foundation

/// Shopify's Admin REST API, as shopify.dev documents it:
///
/// - "Authentication": a custom app's Admin API access token in `X-Shopify-Access-Token`;
///   without a valid one, 401 `{"errors": "[API] Invalid API key or access token
///   (unrecognized login or wrong password)"}`;
/// - the Order resource (admin-rest/2024-10/resources/order): `GET /admin/api/2024-10/orders.json`
///   with `name` (the order's name, e.g. `#1001`), `status=any` (open, closed and cancelled) and
///   `fields`, answering `{"orders": [ … ]}`; `GET /admin/api/2024-10/orders/{id}.json` answering
///   `{"order": { … }}`, or 404 `{"errors": "Not Found"}`; money is written as strings
///   (`"total_price": "12.50"`), `fulfillment_status` is null until something ships, and
///   `line_items` a list with `title`, `quantity` and `price`;
/// - "REST Admin API rate limits": past the bucket, 429 with `Retry-After` and
///   `{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume
///   uninterrupted service."}`.
public enum ShopifyAPI: DocumentedAPI {
    public static let accessToken = "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"
    public static let apiVersion = "2024-10"

    static var orders: [[String: Any]] {
        [
            [
                "id": 1001, "name": "#1001", "email": "ada.lovelace@example.com", "financial_status": "paid", "fulfillment_status": "fulfilled",
                "total_price": "12.50", "currency": "EUR", "taxes_included": "true",
                "line_items": [
                    ["id": 466_157_049, "title": "Mug", "quantity": 2, "price": "4.25"],
                    ["id": 518_995_019, "title": "Tea", "quantity": 1, "price": "4.00"],
                ],
            ],
            [
                "id": 1002, "name": "#1002", "email": NSNull(), "financial_status": "pending", "fulfillment_status": NSNull(),
                "total_price": "n/a", "currency": "EUR", "taxes_included": "yes", "line_items": [],
            ],
        ]
    }

    static func answer(_ request: StubRequest, stub: UpstreamStub) -> StubAnswer? {
        guard request.path.hasPrefix("/admin/api/") else { return nil }
        guard request.headers["x-shopify-access-token"] == Self.accessToken else {
            return StubAnswer(401, json(["errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"]))
        }
        let prefix = "/admin/api/\(Self.apiVersion)/orders"
        guard request.method == "GET", request.path.hasPrefix(prefix), request.path.hasSuffix(".json") else {
            return StubAnswer(404, json(["errors": "Not Found"]))
        }
        let fields = request.query["fields"].map { $0.split(separator: ",").map(String.init) }
        func shown(_ order: [String: Any]) -> [String: Any] { fields.map { names in order.filter { names.contains($0.key) } } ?? order }
        if request.path == prefix + ".json" {
            let name = request.query["name"] ?? ""
            if name.hasSuffix("1500") {
                return StubAnswer(
                    429,
                    json(["errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."]),
                    headers: [("Retry-After", "2.0")]
                )
            }
            // `name` matches the order's name with or without its `#`.
            let matching = Self.orders.filter { ($0["name"] as? String).map { $0 == name || $0 == "#" + name } ?? false }
            return StubAnswer(200, json(["orders": matching.map(shown)]))
        }
        let id = Int(request.path.dropFirst(prefix.count + 1).dropLast(5))
        guard let order = Self.orders.first(where: { $0["id"] as? Int == id }) else { return StubAnswer(404, json(["errors": "Not Found"])) }
        return StubAnswer(200, json(["order": shown(order)]))
    }
}
