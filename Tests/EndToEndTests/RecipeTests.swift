import Foundation
import JSON
import TestSupport
import Testing

/// The recipes in deploy/recipes/, each against a stub that answers as its API documents
/// (Tests/TestSupport/DocumentedAPIs), through real nginx and the real binary, every action
/// exported (import file and Terraform) and executed as Genesys does: found, not found, the
/// API failing, bad input.
@Suite("Recipes for well-known APIs", .timeLimit(.minutes(5)))
struct RecipeTests {
    /// What Genesys makes of one execution.
    enum Expected: Sendable {
        /// The Success path, with what Architect receives (defaults included).
        case outputs([String: JSONValue])
        /// The Failure path, after the service answered this status.
        case failure(Int)
        /// Genesys' input contract stops it; the service, asked directly, answers 400.
        case badInput
    }

    struct Scenario: Sendable {
        var action: String
        var input: [String: JSONValue]
        var expected: Expected
    }

    struct Recipe: Sendable, CustomTestStringConvertible {
        var name: String
        /// The recipe's settings, given the stub.
        var settings: @Sendable (UpstreamStub) -> [String: String]
        /// What must never appear in the service's log.
        var secrets: [String]
        var scenarios: [Scenario]

        var file: String { NginxProcess.repositoryRoot + "/deploy/recipes/\(self.name).yaml" }
        var testDescription: String { self.name }
    }

    static let recipes: [Recipe] = [
        Recipe(
            name: "servicenow",
            settings: { ["SERVICENOW_URL": $0.origin, "SERVICENOW_USER": ServiceNowAPI.user, "SERVICENOW_PASSWORD": ServiceNowAPI.password] },
            secrets: [ServiceNowAPI.password],
            scenarios: [
                Scenario(
                    action: "servicenow-caller-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "callerFound": true, "callerSysId": "62826bf03710200044e0bfc8bcbe5df1", "callerName": "Ada Lovelace",
                        "callerEmail": "ada.lovelace@example.com", "callerVip": true, "callerLocationSysId": "25ab9c4d0a0a0bb300f7dabdc0ca7c1c",
                    ])
                ),
                Scenario(
                    action: "servicenow-caller-by-phone",
                    input: ["phone": "+15550000001"],
                    expected: .outputs([
                        "callerFound": true, "callerSysId": "46d44a23a9fe19810012d100cca80666", "callerName": "Alan Turing", "callerEmail": "",
                        "callerVip": false, "callerLocationSysId": "",
                    ])
                ),
                Scenario(
                    action: "servicenow-caller-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs([
                        "callerFound": false, "callerSysId": "", "callerName": "", "callerEmail": "", "callerVip": false, "callerLocationSysId": "",
                    ])
                ),
                Scenario(action: "servicenow-caller-by-phone", input: ["phone": "+15550000500"], expected: .failure(502)),
                Scenario(action: "servicenow-caller-by-phone", input: ["phone": "x^ORactive=true"], expected: .badInput),
                Scenario(
                    action: "servicenow-incident-by-number",
                    input: ["number": "INC0010001"],
                    expected: .outputs([
                        "incidentFound": true, "incidentSysId": .string(ServiceNowAPI.incidentSysId),
                        "shortDescription": "Email client does not start",
                        "state": 2, "priority": 3, "openedAt": "2026-11-30 09:12:44", "callerSysId": "62826bf03710200044e0bfc8bcbe5df1",
                    ])
                ),
                Scenario(
                    action: "servicenow-incident-by-number",
                    input: ["number": "INC0000000"],
                    expected: .outputs([
                        "incidentFound": false, "incidentSysId": "", "shortDescription": "", "state": 0, "priority": 0, "openedAt": "",
                        "callerSysId": "",
                    ])
                ),
                Scenario(action: "servicenow-incident-by-number", input: ["number": "INC1^ORnumber!=x"], expected: .badInput),
                Scenario(
                    action: "servicenow-add-work-note",
                    input: ["incidentSysId": .string(ServiceNowAPI.incidentSysId), "note": "Caller confirmed the fix."],
                    expected: .outputs(["noteAdded": true, "incidentNumber": "INC0010001", "state": 2, "updatedOn": "2026-12-03 09:00:00"])
                ),
                Scenario(
                    action: "servicenow-add-work-note",
                    input: ["incidentSysId": "00000000000000000000000000000000", "note": "x"],
                    expected: .outputs(["noteAdded": false, "incidentNumber": "", "state": 0, "updatedOn": ""])
                ),
                Scenario(action: "servicenow-add-work-note", input: ["incidentSysId": "../sys_user", "note": "x"], expected: .badInput),
            ]
        ),
        Recipe(
            name: "zendesk",
            settings: { ["ZENDESK_URL": $0.origin, "ZENDESK_USERNAME": "\(ZendeskAPI.email)/token", "ZENDESK_API_TOKEN": ZendeskAPI.apiToken] },
            secrets: [ZendeskAPI.apiToken],
            scenarios: [
                Scenario(
                    action: "zendesk-user-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "userFound": true, "userId": 35436, "userName": "Ada Lovelace", "userEmail": "ada.lovelace@example.com",
                        "organizationId": 57542, "userTags": ["vip", "billing"], "suspended": false,
                    ])
                ),
                Scenario(
                    action: "zendesk-user-by-phone",
                    input: ["phone": "+15550000001"],
                    expected: .outputs([
                        "userFound": true, "userId": 35437, "userName": "Alan Turing", "userEmail": "", "organizationId": 0, "userTags": [],
                        "suspended": false,
                    ])
                ),
                Scenario(
                    action: "zendesk-user-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs([
                        "userFound": false, "userId": 0, "userName": "", "userEmail": "", "organizationId": 0, "userTags": [], "suspended": false,
                    ])
                ),
                Scenario(action: "zendesk-user-by-phone", input: ["phone": "+15550000500"], expected: .failure(502)),
                Scenario(action: "zendesk-user-by-phone", input: ["phone": "* role:admin"], expected: .badInput),
                Scenario(
                    action: "zendesk-open-tickets",
                    input: ["userId": 35436],
                    expected: .outputs([
                        "openTicketCount": 2, "ticketIds": [101, 102], "ticketSubjects": ["Invoice is wrong", "Card declined"],
                        "ticketStatuses": ["open", "pending"], "latestTicketId": 101,
                    ])
                ),
                Scenario(
                    action: "zendesk-open-tickets",
                    input: ["userId": .integer(Int64(ZendeskAPI.quietUserId))],
                    expected: .outputs(["openTicketCount": 0, "ticketIds": [], "ticketSubjects": [], "ticketStatuses": [], "latestTicketId": 0])
                ),
                Scenario(action: "zendesk-open-tickets", input: ["userId": 10500], expected: .failure(502)),
                Scenario(action: "zendesk-open-tickets", input: ["userId": 0], expected: .badInput),
            ]
        ),
        Recipe(
            name: "hubspot",
            settings: { ["HUBSPOT_URL": $0.origin, "HUBSPOT_AUTHORIZATION": "Bearer \(HubSpotAPI.accessToken)"] },
            secrets: [HubSpotAPI.accessToken],
            scenarios: [
                Scenario(
                    action: "hubspot-contact-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "contactFound": true, "contactId": 512, "firstName": "Ada", "lastName": "Lovelace", "email": "ada.lovelace@example.com",
                        "lifecycleStage": "customer",
                    ])
                ),
                Scenario(
                    action: "hubspot-contact-by-phone",
                    input: ["phone": "+15550000001"],
                    expected: .outputs([
                        "contactFound": true, "contactId": 513, "firstName": "Alan", "lastName": "", "email": "", "lifecycleStage": "lead",
                    ])
                ),
                Scenario(
                    action: "hubspot-contact-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs(["contactFound": false, "contactId": 0, "firstName": "", "lastName": "", "email": "", "lifecycleStage": ""])
                ),
                Scenario(action: "hubspot-contact-by-phone", input: ["phone": "+15550000500"], expected: .failure(502)),
                Scenario(action: "hubspot-contact-by-phone", input: ["phone": "+1 555 123 4567"], expected: .badInput),
            ]
        ),
        Recipe(
            name: "salesforce",
            settings: {
                [
                    "SALESFORCE_URL": $0.origin, "SALESFORCE_TOKEN_URL": $0.origin + "/services/oauth2/token",
                    "SALESFORCE_CLIENT_ID": SalesforceAPI.clientId, "SALESFORCE_CLIENT_SECRET": SalesforceAPI.clientSecret,
                ]
            },
            secrets: [SalesforceAPI.clientSecret, UpstreamStub.tokenPrefix],
            scenarios: [
                Scenario(
                    action: "salesforce-contact-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "contactFound": true, "contactId": .string(SalesforceAPI.contactId), "contactName": "Ada Lovelace",
                        "contactEmail": "ada.lovelace@example.com", "accountName": "Analytical Engines Ltd",
                    ])
                ),
                Scenario(
                    action: "salesforce-contact-by-phone",
                    input: ["phone": "+15550000001"],
                    expected: .outputs([
                        "contactFound": true, "contactId": .string(SalesforceAPI.quietContactId), "contactName": "Alan Turing", "contactEmail": "",
                        "accountName": "",
                    ])
                ),
                Scenario(
                    action: "salesforce-contact-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs(["contactFound": false, "contactId": "", "contactName": "", "contactEmail": "", "accountName": ""])
                ),
                Scenario(action: "salesforce-contact-by-phone", input: ["phone": "+15550000500"], expected: .failure(502)),
                Scenario(action: "salesforce-contact-by-phone", input: ["phone": "' OR Name != '"], expected: .badInput),
                Scenario(
                    action: "salesforce-open-cases",
                    input: ["contactId": .string(SalesforceAPI.contactId)],
                    expected: .outputs([
                        "openCaseCount": 2, "caseNumbers": ["00001031", "00001026"], "caseSubjects": ["Card declined", "Invoice is wrong"],
                        "caseStatuses": ["New", "Working"],
                    ])
                ),
                Scenario(
                    action: "salesforce-open-cases",
                    input: ["contactId": .string(SalesforceAPI.quietContactId)],
                    expected: .outputs(["openCaseCount": 0, "caseNumbers": [], "caseSubjects": [], "caseStatuses": []])
                ),
                Scenario(action: "salesforce-open-cases", input: ["contactId": "003000000000500"], expected: .failure(502)),
                Scenario(action: "salesforce-open-cases", input: ["contactId": "003' OR Id != '"], expected: .badInput),
            ]
        ),
        Recipe(
            name: "dynamics365",
            settings: {
                [
                    "DYNAMICS_URL": $0.origin, "DYNAMICS_TOKEN_URL": $0.origin + "/\(DynamicsAPI.tenant)/oauth2/v2.0/token",
                    "DYNAMICS_CLIENT_ID": DynamicsAPI.clientId, "DYNAMICS_CLIENT_SECRET": DynamicsAPI.clientSecret,
                ]
            },
            secrets: [DynamicsAPI.clientSecret, UpstreamStub.tokenPrefix],
            scenarios: [
                Scenario(
                    action: "dynamics-contact-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "contactFound": true, "contactId": "2b6c5d86-1f3e-4a5b-9c8d-7e6f5a4b3c2d", "fullName": "Ada Lovelace",
                        "email": "ada.lovelace@example.com", "creditLimit": 5000,
                    ])
                ),
                Scenario(
                    action: "dynamics-contact-by-phone",
                    input: ["phone": "+15550000001"],
                    expected: .outputs([
                        "contactFound": true, "contactId": "3c7d6e97-2f4a-4b6c-8d9e-8f7a6b5c4d3e", "fullName": "Alan Turing", "email": "",
                        "creditLimit": 0,
                    ])
                ),
                Scenario(
                    action: "dynamics-contact-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs(["contactFound": false, "contactId": "", "fullName": "", "email": "", "creditLimit": 0])
                ),
                Scenario(action: "dynamics-contact-by-phone", input: ["phone": "+15550000500"], expected: .failure(502)),
                Scenario(action: "dynamics-contact-by-phone", input: ["phone": "x' or fullname ne '"], expected: .badInput),
            ]
        ),
        Recipe(
            name: "shopify",
            settings: { ["SHOPIFY_URL": $0.origin, "SHOPIFY_ACCESS_TOKEN": ShopifyAPI.accessToken] },
            secrets: [ShopifyAPI.accessToken],
            scenarios: [
                Scenario(
                    action: "shopify-order-by-number",
                    input: ["number": 1001],
                    expected: .outputs([
                        "orderFound": true, "orderName": "#1001", "financialStatus": "paid", "fulfillmentStatus": "fulfilled",
                        "total": .number(12.5), "currency": "EUR", "itemCount": 2, "itemTitles": ["Mug", "Tea"],
                    ])
                ),
                Scenario(
                    action: "shopify-order-by-number",
                    input: ["number": 1002],
                    expected: .outputs([
                        "orderFound": true, "orderName": "#1002", "financialStatus": "pending", "fulfillmentStatus": "", "total": 0,
                        "currency": "EUR", "itemCount": 0, "itemTitles": [],
                    ])
                ),
                Scenario(
                    action: "shopify-order-by-number",
                    input: ["number": 9999],
                    expected: .outputs([
                        "orderFound": false, "orderName": "", "financialStatus": "", "fulfillmentStatus": "", "total": 0, "currency": "",
                        "itemCount": 0, "itemTitles": [],
                    ])
                ),
                Scenario(action: "shopify-order-by-number", input: ["number": 1500], expected: .failure(502)),
                Scenario(action: "shopify-order-by-number", input: ["number": 0], expected: .badInput),
            ]
        ),
        Recipe(
            name: "graphql",
            settings: { ["GRAPHQL_URL": $0.origin, "GRAPHQL_AUTHORIZATION": "Bearer \(GraphQLAPI.token)"] },
            secrets: [GraphQLAPI.token],
            scenarios: [
                Scenario(
                    action: "graphql-customer-by-phone",
                    input: ["phone": "+15551234567"],
                    expected: .outputs([
                        "customerFound": true, "customerId": "cus_1", "customerName": "Ada Lovelace", "customerEmail": "ada.lovelace@example.com",
                        "tier": "gold", "openOrderNumbers": [1001, 1002],
                    ])
                ),
                Scenario(
                    action: "graphql-customer-by-phone",
                    input: ["phone": "+15559999999"],
                    expected: .outputs([
                        "customerFound": false, "customerId": "", "customerName": "", "customerEmail": "", "tier": "", "openOrderNumbers": [],
                    ])
                ),
                Scenario(action: "graphql-customer-by-phone", input: ["phone": "+15550000429"], expected: .failure(502)),
                Scenario(action: "graphql-customer-by-phone", input: ["phone": "\") { id } admin { token"], expected: .badInput),
            ]
        ),
    ]

    @Test("each recipe's actions, exported, execute as Genesys does against a stub that answers as the API documents", arguments: recipes)
    func recipe(_ recipe: Recipe) async throws {
        let actions = try await GenesysExecutionTests.exportedActions(recipe.file, format: "terraform")
        #expect(Set(actions.keys) == Set(recipe.scenarios.map(\.action)), "every action of the recipe has its scenarios")
        let settings = { @Sendable (stub: UpstreamStub) in recipe.settings(stub).merging(["ACTIONS_FILE": recipe.file]) { $1 } }
        try await ThroughNginxTests().withStack(environment: settings) { stack in
            for scenario in recipe.scenarios {
                let action = try #require(actions[scenario.action])
                let (result, _) = try await GenesysExecutionTests.execute(action, scenario.input, on: stack)
                let place = "\(scenario.action) \(scenario.input)"
                switch scenario.expected {
                case .outputs(let outputs):
                    switch result {
                    case .success(let received): #expect(received == .object(outputs), "\(place)")
                    case .failure(let failure): Issue.record("\(place): the Failure path, \(failure)")
                    }
                case .failure(let status):
                    #expect(throws: GenesysActionExecutor.Failure.status(status), "\(place)") { try result.get() }
                case .badInput:
                    guard case .failure(.inputContract) = result else {
                        Issue.record("\(place): Genesys' input contract let it through: \(result)")
                        continue
                    }
                    let client = stack.client
                    let direct = try await onThread {
                        try client.send(
                            "POST",
                            "/data-action/\(scenario.action)",
                            headers: ThroughNginxTests.genesysHeaders(),
                            body: JSONValue.object(scenario.input).serialized
                        )
                    }
                    #expect(direct.status == 400, "\(place): the service itself refuses it")
                }
            }
            #expect(stack.stub.issuedTokens.count <= 1, "one OAuth2 token serves every call: \(stack.stub.issuedTokens.count)")
            let log = stack.service.standardError
            #expect(log.contains("outcome=found"), "the calls were logged")
            for secret in recipe.secrets {
                #expect(!log.contains(secret), "no credential of \(recipe.name) in the log")
            }
        }
    }
}
