import Actions
import DataAction
import Foundation
import JSON
import TestSupport
import Testing

/// The contract for actions declared in a file, against a real upstream on loopback: the
/// actions of deploy/actions.example.yaml (a search, a lookup by id, a POST) on the stub's CRM
/// and ticket system.
@Suite("Declared actions", .timeLimit(.minutes(3)))
struct ActionContractTests {
    static func example() throws -> String {
        try ActionsFileTests.text("deploy/actions.example.yaml")
    }

    static func with(_ body: (ServiceHarness) async throws -> Void) async throws {
        try await ServiceHarness.with(actions: try Self.example(), body)
    }

    @Test("a search answers the first match's outputs, typed; an empty list is a not-found 200")
    func search() async throws {
        try await Self.with { harness in
            let found = await harness.call("customer-by-phone", #"{"phone":"+15551234567"}"#)
            #expect(found.status == 200)
            #expect(
                found.outputs == [
                    "customerFound": .bool(true), "customerName": .string("Ada Lovelace"), "accountId": .integer(4711), "vip": .bool(true),
                ]
            )
            let none = await harness.call("customer-by-phone", #"{"phone":"+15559999999"}"#)
            #expect(none.status == 200)
            #expect(none.outputs == ["customerFound": .bool(false)])
            #expect(harness.stub.requests.map(\.uri) == ["/contacts?phone=%2B15551234567", "/contacts?phone=%2B15559999999"])
        }
    }

    @Test("an output that is missing, null or of another type is left out, never null")
    func wrongTypes() async throws {
        try await Self.with { harness in
            let response = await harness.call("customer-by-phone", #"{"phone":"+15550000001"}"#)
            #expect(response.outputs == ["customerFound": .bool(true)])
            let balance = await harness.call("account-balance", #"{"accountId":10001}"#)
            #expect(balance.outputs == ["accountFound": .bool(true)])
        }
    }

    @Test("numbers, booleans and the action's own not-found statuses")
    func typesAndStatuses() async throws {
        try await Self.with { harness in
            let found = await harness.call("account-balance", #"{"inputs":{"accountId":4711}}"#)
            #expect(found.outputs == ["accountFound": .bool(true), "balance": .number(125.5), "currency": .string("EUR"), "overdue": .bool(false)])
            #expect(await harness.call("account-balance", #"{"accountId":410}"#).outputs == ["accountFound": .bool(false)])
            #expect(await harness.call("account-balance", #"{"accountId":404}"#).outputs == ["accountFound": .bool(false)])
            #expect(await harness.call("account-balance", #"{"accountId":10500}"#).status == 502)
            #expect(harness.stub.requests.map(\.uri).first == "/accounts/4711/balance")
        }
    }

    @Test(
        "each input is checked by its type and rules, in order; a failure answers 400 naming it",
        arguments: [
            ("customer-by-phone", #"{}"#, "Input 'phone' is required."),
            ("customer-by-phone", #"{"phone":""}"#, "Input 'phone' is required."),
            ("customer-by-phone", #"{"phone":true}"#, "Input 'phone' must be a string or an integer."),
            ("customer-by-phone", #"{"phone":"555-CALL-ME"}"#, #"Input 'phone' is not valid: it must match ^\+?[0-9]{6,15}$."#),
            ("account-balance", #"{"accountId":"4711"}"#, "Input 'accountId' must be an integer."),
            ("account-balance", #"{"accountId":47.5}"#, "Input 'accountId' must be an integer."),
            ("account-balance", #"{"accountId":0}"#, "Input 'accountId' is not valid: at least 1."),
            ("create-callback", #"{"phone":"+15551234567"}"#, "Input 'consent' is required."),
            ("create-callback", #"{"phone":"+15551234567","consent":"yes"}"#, "Input 'consent' must be true or false."),
            (
                "create-callback", #"{"phone":"+15551234567","consent":true,"priority":"urgent"}"#,
                #"Input 'priority' is not valid: one of "low", "normal", "high"."#
            ),
            ("create-callback", #"{"phone":"x","consent":"no"}"#, #"Input 'phone' is not valid: it must match ^\+?[0-9]{6,15}$."#),
        ]
    )
    func inputRules(action: String, body: String, message: String) async throws {
        try await Self.with { harness in
            let response = await harness.call(action, body)
            #expect(response.status == 400)
            #expect(response.errorMessage == message)
            #expect(harness.stub.requests.isEmpty)
        }
    }

    @Test("a POST sends its body template with the inputs' typed values; inputs not sent are left out")
    func postBody() async throws {
        try await Self.with { harness in
            let response = await harness.call("create-callback", #"{"phone":"+15551234567","accountId":4711,"consent":true}"#)
            #expect(response.status == 200)
            #expect(response.outputs == ["ticketCreated": .bool(true), "ticketId": .integer(9001), "ticketStatus": .string("queued")])
            let request = try #require(harness.stub.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/callbacks")
            #expect(request.headers["content-type"] == "application/json")
            #expect(
                try JSONValue.parse(Array(request.body.utf8))
                    == .object([
                        "callback": .object(["phone": .string("+15551234567"), "account": .integer(4711), "recordingConsent": .bool(true)]),
                        "source": .string("genesys"),
                    ])
            )
            #expect(await harness.call("create-callback", #"{"phone":"+15550000404","consent":false}"#).outputs == ["ticketCreated": .bool(false)])
            #expect(await harness.call("create-callback", #"{"phone":"+15550000500","consent":false}"#).status == 502)
        }
    }

    @Test("each upstream keeps its own cache: the CRM's answers are remembered, the ticket system is always called")
    func cachePerUpstream() async throws {
        try await Self.with { harness in
            for _ in 0..<3 {
                #expect(await harness.call("customer-by-phone", #"{"phone":"+15551234567"}"#).status == 200)
                #expect(await harness.call("create-callback", #"{"phone":"+15551234567","consent":true}"#).status == 200)
            }
            #expect(harness.stub.requests.count { $0.uri.hasPrefix("/contacts") } == 1)
            #expect(harness.stub.requests.count { $0.uri == "/callbacks" } == 3)
            #expect(harness.logs.all.count { $0.contains("action=customer-by-phone") && $0.contains("cache=hit") } == 2)
        }
    }

    @Test("a POST is never answered from the cache, even on an upstream with one: every call creates")
    func postBypassesCache() async throws {
        let cached = try Self.example().replacingOccurrences(
            of: "  ticketing:\n    url: { env: TICKETING_URL }\n",
            with: "  ticketing:\n    url: { env: TICKETING_URL }\n    cache: { ttlSeconds: 60, notFoundTtlSeconds: 60 }\n"
        )
        #expect(cached.contains("cache: { ttlSeconds: 60, notFoundTtlSeconds: 60 }\n"))
        try await ServiceHarness.with(actions: cached) { harness in
            for _ in 0..<3 {
                #expect(await harness.call("create-callback", #"{"phone":"+15551234567","consent":true}"#).status == 200)
            }
            #expect(harness.stub.requests.count { $0.uri == "/callbacks" } == 3)
            #expect(harness.logs.all.count { $0.contains("action=create-callback") && $0.contains("cache=") } == 0)
        }
    }

    @Test("the log line names the action and its upstream; an undeclared action answers 404")
    func logAndRouting() async throws {
        try await Self.with { harness in
            _ = await harness.call("account-balance", #"{"accountId":4711}"#)
            let line = try #require(harness.logs.all.last)
            #expect(line.contains("action=account-balance"))
            #expect(line.contains("upstream=crm"))
            #expect(line.contains("correlationId=corr-1234"))
            let unknown = await harness.call("user-lookup", #"{"userId":"1"}"#)
            #expect(unknown.status == 404)
            #expect(await harness.send(path: "/data-action/", body: .complete([])).status == 404)
        }
    }

    static let methods = """
        upstreams:
          records: { url: { env: RECORDS_URL } }
        actions:
          replace:
            inputs: { id: { type: string, required: true }, name: string }
            request: { upstream: records, method: PUT, path: "/records/{id}", body: { name: "{name}" } }
            result: { record: $.result }
            outputs: { method: $.method, contentType: $.contentType, contentTypes: { path: $.contentTypes, type: integer } }
          note:
            inputs: { id: { type: string, required: true }, text: { type: string, required: true } }
            request:
              upstream: records
              method: PATCH
              path: "/records/{id}"
              body: { work_notes: "{text}", query: "query($id: ID!){note(id:$id){text}}", tags: ["{id}", "{text}"] }
            result: { record: $.result }
            outputs: { method: $.method, query: $.body.query, firstTag: "$.body.tags[0]", secondTag: "$.body.tags[1]" }
          remove:
            inputs: { id: { type: string, required: true } }
            request: { upstream: records, method: DELETE, path: "/records/{id}" }
            result: { record: $.result }
            outputs: { method: $.method, contentType: $.contentType }
        """

    @Test(
        "PUT, PATCH and DELETE reach the upstream with their method; PUT and PATCH send the body as JSON, strings that are not exactly an input as written"
    )
    func methods() async throws {
        try await ServiceHarness.with(actions: Self.methods) { harness in
            let put = await harness.call("replace", #"{"id":"r1","name":"Ada"}"#)
            #expect(put.outputs == ["method": .string("PUT"), "contentType": .string("application/json"), "contentTypes": .integer(1)])
            let patch = await harness.call("note", #"{"id":"r2","text":"called back"}"#)
            #expect(
                patch.outputs == [
                    "method": .string("PATCH"), "query": .string("query($id: ID!){note(id:$id){text}}"), "firstTag": .string("r2"),
                    "secondTag": .string("called back"),
                ]
            )
            let delete = await harness.call("remove", #"{"id":"r3"}"#)
            #expect(delete.outputs == ["method": .string("DELETE")])
            #expect(harness.stub.requests.map { "\($0.method) \($0.uri)" } == ["PUT /records/r1", "PATCH /records/r2", "DELETE /records/r3"])
            #expect(harness.stub.requests.last?.body == "")
        }
    }

    @Test("a Content-Type the upstream declares is the one sent, once")
    func declaredContentTypeWins() async throws {
        try await ServiceHarness.with(upstreamHeaders: ["Content-Type: application/vnd.api+json"], actions: Self.methods) { harness in
            let put = await harness.call("replace", #"{"id":"r1","name":"Ada"}"#)
            #expect(put.outputs == ["method": .string("PUT"), "contentType": .string("application/vnd.api+json"), "contentTypes": .integer(1)])
        }
    }

    static let graphQL = """
        upstreams:
          api: { url: { env: API_URL } }
        actions:
          customer:
            inputs: { phone: { type: string, required: true, pattern: "^[+0-9]+$" } }
            request:
              upstream: api
              method: POST
              path: /graphql
              body: { query: "query($phone: String!){customer(phone:$phone){name}}", variables: { phone: "{phone}" } }
            result: { record: $.data.customer, failWhen: $.errors }
            outputs: { customerFound: found, customerName: $.name }
        """

    @Test("a 200 that reports errors where failWhen looks is the upstream's failure (502), never not-found; an empty errors list is no failure")
    func failureInsideA200() async throws {
        try await ServiceHarness.with(actions: Self.graphQL) { harness in
            let failed = await harness.call("customer", #"{"phone":"+15550000429"}"#)
            #expect(failed.status == 502)
            #expect(failed.errorMessage == "The upstream answered with an error.")
            let line = try #require(harness.logs.all.last)
            #expect(line.contains("outcome=upstream-error"))
            #expect(line.contains("detail=the answer reports a failure: Throttled: too many requests retry later"))
            #expect(
                await harness.call("customer", #"{"phone":"+15551234567"}"#).outputs == [
                    "customerFound": .bool(true), "customerName": .string("Ada Lovelace"),
                ]
            )
            #expect(await harness.call("customer", #"{"phone":"+15559999999"}"#).outputs == ["customerFound": .bool(false)])
        }
    }

    static let orders = """
        upstreams:
          shop: { url: { env: SHOP_URL } }
        actions:
          order:
            inputs: { number: { type: integer, required: true, minimum: 1 } }
            request: { upstream: shop, path: "/admin/api/2024-10/orders/{number}.json" }
            result: { record: $.order }
            outputs:
              orderFound: found
              total: { path: $.total_price, type: number, coerce: true }
              totalUncoerced: { path: $.total_price, type: number }
              taxesIncluded: { path: $.taxes_included, type: boolean, coerce: true }
              itemCount: { count: $.line_items }
              missingCount: { count: $.refunds }
              itemTitles: { path: "$.line_items[*].title", type: array, items: string }
              itemQuantities: { path: "$.line_items[*].quantity", type: array, items: integer }
              itemPrices: { path: "$.line_items[*].price", type: array, items: number, coerce: true }
              refundIds: { path: "$.refunds[*].id", type: array, items: integer }
        """

    @Test(
        "numbers and booleans sent as text are taken with coerce: true and left out without it; a count is the list's length, 0 when absent or empty"
    )
    func coerceAndCount() async throws {
        try await ServiceHarness.with(upstreamHeaders: ["X-Shopify-Access-Token: \(ShopifyAPI.accessToken)"], actions: Self.orders) { harness in
            let order = await harness.call("order", #"{"number":1001}"#)
            #expect(
                order.outputs == [
                    "orderFound": .bool(true), "total": .number(12.5), "taxesIncluded": .bool(true), "itemCount": .integer(2),
                    "missingCount": .integer(0), "itemTitles": ["Mug", "Tea"], "itemQuantities": [2, 1], "itemPrices": [.number(4.25), .number(4)],
                ]
            )
            let odd = await harness.call("order", #"{"number":1002}"#)
            #expect(
                odd.outputs == [
                    "orderFound": .bool(true), "itemCount": .integer(0), "missingCount": .integer(0), "itemTitles": [], "itemQuantities": [],
                    "itemPrices": [],
                ]
            )
            #expect(await harness.call("order", #"{"number":1003}"#).outputs == ["orderFound": .bool(false)])
        }
    }

    static let lists = """
        upstreams:
          records: { url: { env: RECORDS_URL } }
        actions:
          lists:
            inputs: { id: { type: string, required: true } }
            request:
              upstream: records
              method: POST
              path: "/records/{id}"
              body:
                cases: [{ id: 1, subject: "Refund" }, { id: "2", subject: 7 }, { subject: null }, "loose", [{ subject: "nested" }]]
                tags: ["vip", 3, "late"]
                teams: [{ members: [{ name: "Ada" }, { name: "Alan" }] }, { members: [] }, { members: { name: "Grace" } }, { members: [{ name: "Edsger" }] }]
            result: { record: $.result.body }
            outputs:
              subjects: { path: "$.cases[*].subject", type: array, items: string }
              caseIds: { path: "$.cases[*].id", type: array, items: integer }
              caseIdsCoerced: { path: "$.cases[*].id", type: array, items: integer, coerce: true }
              tags: { path: $.tags, type: array, items: string }
              members: { path: "$.teams[*].members[*].name", type: array, items: string }
              notAList: { path: "$.tags[0]", type: array, items: string }
              absent: { path: "$.orders[*].id", type: array, items: string }
        """

    @Test(
        "an array output is the list's values of its items type, others left out; a path without [*] takes the array it names; an absent list is left out"
    )
    func arrayOutputs() async throws {
        try await ServiceHarness.with(actions: Self.lists) { harness in
            let answer = await harness.call("lists", #"{"id":"l1"}"#)
            #expect(
                answer.outputs == [
                    "subjects": ["Refund"], "caseIds": [1], "caseIdsCoerced": [1, 2], "tags": ["vip", "late"],
                    "members": ["Ada", "Alan", "Edsger"],
                ]
            )
        }
    }
}
