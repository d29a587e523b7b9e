import DataAction
import Foundation
import JSON
import TestSupport
import Testing

@testable import Actions

/// The actions file: the shipped samples pass the check; every problem is one line with its
/// file, line and place; `actions show` writes what reads back the same.
@Suite("Actions file", .timeLimit(.minutes(3)))
struct ActionsFileTests {
    static let samples =
        ["deploy/actions.example.yaml", "deploy/demo/actions.yaml"]
        + ["servicenow", "zendesk", "hubspot", "salesforce", "dynamics365", "shopify", "graphql"].map { "deploy/recipes/\($0).yaml" }

    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: NginxProcess.repositoryRoot + "/" + path, encoding: .utf8)
    }

    static func parse(_ yaml: String) -> (file: ActionsFile?, problems: [String]) {
        ActionsFile.parse(yaml: yaml, source: "actions.yaml", defaults: .init())
    }

    @Test("the shipped sample files pass the check", arguments: samples)
    func samplesPass(path: String) throws {
        let (file, problems) = ActionsFile.parse(yaml: try Self.text(path), source: path, defaults: .init())
        #expect(problems == [])
        #expect(file?.warnings == [], "a shipped file draws no warning")
        #expect(file?.actions.isEmpty == false)
    }

    @Test("every problem is reported at once, one line each with file, line and place")
    func problemsWithPlaces() {
        let yaml = """
            upstreams:
              crm:
                url: https://crm.internal.example/api
                timeoutMs: 0
                colour: red
            actions:
              customer-by-phone:
                inputs:
                  phone: { type: string, required: yes, pattern: "(" }
                  orgId: string
                  n: { type: integer, maxLength: 3 }
                request:
                  upstream: crn
                  method: TRACE
                  path: /contacts{?phone,missing}
                result:
                  notFound: [404, 1000]
                  record: $..items
                outputs:
                  vip: { path: $.flags.vip, type: bool }
                  name: $.name
                  mixed: { path: $.a, typ: string }
            """
        let (file, problems) = Self.parse(yaml)
        #expect(file == nil)
        #expect(
            problems == [
                "actions.yaml:4: upstreams.crm.timeoutMs: a whole number from 1 to 60000",
                "actions.yaml:5: upstreams.crm.colour: unknown key; known keys: url, timeoutMs, maxBodyBytes, headers, query, correlationHeader, tls, auth, cache, circuitBreaker",
                "actions.yaml:9: actions.customer-by-phone.inputs.phone.required: true or false",
                "actions.yaml:9: actions.customer-by-phone.inputs.phone.pattern: not a regular expression: (",
                "actions.yaml:10: actions.customer-by-phone.inputs.orgId: 'orgId' is reserved by Genesys (orgId, integrationId, rawRequest) or the request envelope (inputs)",
                "actions.yaml:11: actions.customer-by-phone.inputs.n.maxLength: applies to string inputs, not integer",
                "actions.yaml:13: actions.customer-by-phone.request.upstream: no upstream 'crn' is declared under 'upstreams'",
                "actions.yaml:14: actions.customer-by-phone.request.method: one of GET, POST, PUT, PATCH, DELETE, not 'TRACE'",
                "actions.yaml:15: actions.customer-by-phone.request.path: 'missing' is not an input of this action",
                "actions.yaml:17: actions.customer-by-phone.result.notFound[1]: a whole number from 200 to 599",
                "actions.yaml:18: actions.customer-by-phone.result.record: '$..items' is not a path this service reads: only .name, ['name'] and [index] are supported",
                "actions.yaml:20: actions.customer-by-phone.outputs.vip.type: unknown type 'bool'; one of string, integer, number, boolean, array",
                "actions.yaml:22: actions.customer-by-phone.outputs.mixed.typ: unknown key; known keys: path, count, type, items, coerce, description",
            ]
        )
    }

    @Test(
        "what a file must have, and what it must not do",
        arguments: [
            ("", "actions.yaml: the file is empty; it needs 'upstreams' and 'actions'"),
            ("actions: [", "actions.yaml:2: not valid YAML: did not find expected node content, while parsing a flow node"),
            ("a: &x [1]\nb: *x\n", "actions.yaml:2: not valid YAML: YAML aliases are not supported here"),
            ("upstreams: {}\nupstreams: {}\nactions: {}", "actions.yaml:2: (top level).upstreams: given twice"),
            ("upstreams: {}\nactions: {}\nextra: 1", "actions.yaml:3: (top level).extra: unknown key; known keys: upstreams, actions"),
            ("upstreams: {}\nactions: {}", "actions.yaml:2: actions: declare at least one action"),
            (
                "upstreams:\n  u: { url: 'ftp://x' }\nactions: {}",
                "actions.yaml:2: upstreams.u.url: must be an absolute http or https URL, not 'ftp://x'"
            ),
            (
                "upstreams:\n  u: { url: 'https://user:pw@x' }\nactions: {}",
                "actions.yaml:2: upstreams.u.url: must not carry credentials; send them in a header"
            ),
            (
                "upstreams:\n  u: { url: { env: lower } }\nactions: {}",
                "actions.yaml:2: upstreams.u.url.env: 'lower' is not a setting name: capital letters, digits and '_'"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', headers: { 'Bad Name': v } }\nactions: {}",
                "actions.yaml:2: upstreams.u.headers.Bad Name: not a header name: letters, digits, '-' and '_' only"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a/b: { request: { upstream: u, path: / }, outputs: { f: found } }",
                "actions.yaml:4: actions.a/b: 'a/b' is not an action name (it is the URL path): a letter, then letters, digits, '-' and '_', at most 64"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: '/{x}' }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.path: 'x' is not an input of this action"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: string }, request: { upstream: u, path: '/{+x}' }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.path: the operator '+' is not supported; use {name}, {?name} or {&name}"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: string }, request: { upstream: u, path: / , body: { y: '{x}' } }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.body: only POST, PUT and PATCH send a body"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: string }, request: { upstream: u, method: POST, path: /, body: { y: ['{x}'] } }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.body: '{x}' is an array element, so input 'x' must be required: an absent value would shift the array"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: string }, request: { upstream: u, path: '/items/{x}' }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.path: '{x}' is a path segment, so input 'x' must be required: an empty one would address another resource"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: { type: string, required: true } }, request: { upstream: u, path: '/t?q=phone%3D{x}' }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.path: '{x}' is inside the query's own text, where the upstream reads its query language: give input 'x' a pattern or an enum, or send it as {?x}"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', headers: { Host: other } }\nactions: {}",
                "actions.yaml:2: upstreams.u.headers.Host: the service sets Host itself"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', headers: { Authorization: 'Bearer abc' } }\nactions: {}",
                "actions.yaml:2: upstreams.u.headers.Authorization: a secret is never written in the file; use { env: NAME }"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', headers: { X-Api-Key: abc } }\nactions: {}",
                "actions.yaml:2: upstreams.u.headers.X-Api-Key: a secret is never written in the file; use { env: NAME }"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { basic: { username: { env: U }, password: { env: P } }, oauth2: {} } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth: exactly one of basic and oauth2"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { basic: { username: { env: U }, password: hunter2 } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth.basic.password: a secret is never written in the file; use { env: NAME }"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { oauth2: { tokenUrl: 'https://t/token', clientId: c, clientSecret: s } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth.oauth2.clientSecret: a secret is never written in the file; use { env: NAME }"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { oauth2: { clientId: c, clientSecret: { env: S } } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth.oauth2: 'tokenUrl' is required: the token endpoint, e.g. https://login.example.com/oauth2/token"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { oauth2: { tokenUrl: 'https://t/token', clientId: c, clientSecret: { env: S }, clientAuthentication: jwt } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth.oauth2.clientAuthentication: body or basic, not 'jwt'"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', auth: { oauth2: { tokenUrl: 'https://t/token', clientId: c, clientSecret: { env: S }, parameters: { grant_type: password } } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth.oauth2.parameters.grant_type: the service sends grant_type itself"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', headers: { Authorization: { env: A } }, auth: { basic: { username: { env: U }, password: { env: P } } } }\nactions: {}",
                "actions.yaml:2: upstreams.u.auth: the upstream also declares headers.Authorization; keep one of them"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { t: string }, request: { upstream: u, path: /, headers: { X-Filter: 'name={t}' } }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.headers.X-Filter: '{t}' is inside the header's own text: give input 't' a pattern or an enum, or make the value exactly \"{t}\""
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: /, headers: { X-Api-Token: abc } }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.headers.X-Api-Token: a secret is never written in the file; declare it on the upstream as { env: NAME }"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: /, headers: { Content-Length: '0' } }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.request.headers.Content-Length: the service sets Content-Length itself"
            ),
            (
                "upstreams:\n  u: { url: 'https://x', correlationHeader: Authorization }\nactions: {}",
                "actions.yaml:2: upstreams.u.correlationHeader: Authorization cannot carry the correlation id"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: '$.line_items.length()' } }",
                "actions.yaml:4: actions.a.outputs.f: '$.line_items.length()' has a function (length()), which the service cannot evaluate: only .name, ['name'] and [index] are supported; or 'found' for whether a record was found"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: '$.items[?(@.open)]' } }",
                "actions.yaml:4: actions.a.outputs.f: '$.items[?(@.open)]' has a filter ([?(@.open)]), which the service cannot evaluate: only .name, ['name'] and [index] are supported; or 'found' for whether a record was found"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: '$.items[0:2]' } }",
                "actions.yaml:4: actions.a.outputs.f: '$.items[0:2]' has a slice ([0:2]), which the service cannot evaluate: only .name, ['name'] and [index] are supported; or 'found' for whether a record was found"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: '$.items[0,1]' } }",
                "actions.yaml:4: actions.a.outputs.f: '$.items[0,1]' has a union ([0,1]), which the service cannot evaluate: only .name, ['name'] and [index] are supported; or 'found' for whether a record was found"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: $.name, coerce: true } } }",
                "actions.yaml:4: actions.a.outputs.f.coerce: applies to number, integer and boolean outputs"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { count: $.items, type: string } } }",
                "actions.yaml:4: actions.a.outputs.f: a count is an integer of its own: no path, type, items or coerce beside it"
            ),
            (
                "upstreams:\n  u: { url: 'htp://user:pw@x' }\nactions: {}",
                "actions.yaml:2: upstreams.u.url: must be an absolute http or https URL, not (not shown: it may carry credentials)"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { inputs: { x: { type: integer, enum: [1, two] } }, request: { upstream: u, path: / }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.inputs.x.enum[1]: not an integer"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / } }",
                "actions.yaml:4: actions.a: 'outputs' is required: what Architect maps into flow variables"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.line_items[*].title' } } }",
                "actions.yaml:4: actions.a.outputs.f: '$.line_items[*].title' names a list ([*]), which only an output of type: array may hold"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, result: { record: '$.items[*]' }, outputs: { f: found } }",
                "actions.yaml:4: actions.a.result.record: '$.items[*]' names a list ([*]), which only an output of type: array may hold"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.items[*].id', type: array } } }",
                "actions.yaml:4: actions.a.outputs.f.items: an array output names its elements' type: items: string, integer, number or boolean"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.items[*].id', type: array, items: object } } }",
                "actions.yaml:4: actions.a.outputs.f.items: unknown type 'object'; one of string, integer, number, boolean"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.id', type: string, items: string } } }",
                "actions.yaml:4: actions.a.outputs.f.items: items is the elements' type of a type: array output"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.id', type: list } } }",
                "actions.yaml:4: actions.a.outputs.f.type: unknown type 'list'; one of string, integer, number, boolean, array"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.items[*]', type: array, items: string, coerce: true } } }",
                "actions.yaml:4: actions.a.outputs.f.coerce: applies to number, integer and boolean outputs"
            ),
            (
                "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: { path: '$.items[*].x[?(@.y)]', type: array, items: string } } }",
                "actions.yaml:4: actions.a.outputs.f: '$.items[*].x[?(@.y)]' has a filter ([?(@.y)]), which the service cannot evaluate: only .name, ['name'], [index] and [*] are supported"
            ),
        ]
    )
    func fileRules(yaml: String, problem: String) {
        let (file, problems) = Self.parse(yaml)
        #expect(file == nil)
        #expect(problems.contains { $0.hasPrefix(problem) }, "\(problems)")
    }

    @Test("a file nested deeper than 64 levels is refused with one line naming the place, however deep it goes", arguments: [65, 50_000])
    func deepNesting(levels: Int) {
        // Flow sequences, `[[[…]]]`: the shortest text that nests.
        let yaml = "upstreams: {}\nactions: " + String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "\n"
        #expect(Self.parse(yaml).problems == ["actions.yaml:2: nested deeper than 64 levels; an actions file needs a few"])
        let mapping = "upstreams: {}\nactions:\n" + (1..<62).map { String(repeating: " ", count: $0) + "a\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(!Self.parse(mapping).problems.contains { $0.contains("nested deeper") }, "64 levels, the scalar included, are read")
    }

    @Test("a problem stays one line whatever the file quotes (the request-path fuzzer found a record path with a line break)")
    func problemsStayOneLine() {
        let yaml =
            "upstreams:\n  u: { url: 'https://x' }\nactions:\n  a:\n    request: { upstream: u, path: / }\n    result: { record: \"$['a\\nb\\u0007']x\" }\n    outputs: { f: found }\n"
        let (file, problems) = Self.parse(yaml)
        #expect(file == nil)
        #expect(
            problems == [
                #"actions.yaml:6: actions.a.result.record: '$['a\nb\u{7}']x' is not a path this service reads: only .name, ['name'] and [index] are supported"#
            ]
        )
    }

    @Test("actions show writes a file that reads back to the same actions", arguments: samples)
    func showRoundTrip(path: String) throws {
        let file = try #require(Self.parse(try Self.text(path)).file)
        let shown = file.yaml
        let (again, problems) = Self.parse(shown)
        #expect(problems == [])
        #expect(again?.yaml == shown)
        #expect(again?.actions.map(\.name) == file.actions.map(\.name))
    }

    @Test(
        "an upstream's auth, query keys, correlation header, TLS and an action's headers, shown, read back the same, secrets as setting names; the schema takes them"
    )
    func authRoundTrip() throws {
        let yaml = """
            upstreams:
              crm:
                url: https://crm.example/api
                auth:
                  oauth2:
                    tokenUrl: { env: CRM_TOKEN_URL }
                    clientId: crm-client
                    clientSecret: { env: CRM_CLIENT_SECRET }
                    scope: "api refresh"
                    parameters: { audience: "https://crm.example/api" }
                    clientAuthentication: basic
              tickets:
                url: https://tickets.example/api
                query: { api_key: { env: TICKETS_KEY }, format: json }
                correlationHeader: X-Request-Id
                tls: { caFile: /etc/ssl/private-ca.pem, verify: true }
                auth: { basic: { username: { env: TICKETS_USER }, password: { env: TICKETS_PASSWORD } } }
            actions:
              a: { request: { upstream: crm, path: / }, outputs: { f: found } }
              b:
                inputs: { id: { type: string, required: true }, tenant: { type: string, enum: [a, b] } }
                request: { upstream: tickets, method: DELETE, path: "/t/{id}", headers: { X-Tenant: "tenant={tenant}" } }
                result: { record: $.data, failWhen: $.errors }
                outputs: { f: found, total: { path: $.total, type: number, coerce: true }, lines: { count: $.lines } }
            """
        let (file, problems) = Self.parse(yaml)
        #expect(problems == [])
        let shown = try #require(file).yaml
        #expect(shown.contains("clientSecret: { env: CRM_CLIENT_SECRET }") && shown.contains("password: { env: TICKETS_PASSWORD }"))
        #expect(Self.parse(shown).file?.yaml == shown)
        #expect(try ActionsSchemaTests.violations(yaml) == [])
        #expect(try ActionsSchemaTests.violations(shown) == [])
    }

    @Test("the built-in user lookup, shown, reads back the same; its URL and credential stay setting names")
    func builtInRoundTrip() throws {
        var settings = SettingsReader.from(environment: ["EXTERNAL_API_URL": "http://127.0.0.1/users", "UPSTREAM_AUTHORIZATION": "Token t0p"])
        let builtIn = try #require(DataActionConfiguration.readActions(from: &settings))
        let shown = builtIn.yaml
        #expect(shown.contains("url: { env: EXTERNAL_API_URL }"))
        #expect(shown.contains("Authorization: { env: UPSTREAM_AUTHORIZATION }"))
        #expect(!shown.contains("t0p"))
        #expect(Self.parse(shown).file?.yaml == shown)
    }

    @Test("RFC 6570 paths: a segment is one percent-encoded value; a query leaves out what was not sent")
    func uriTemplates() throws {
        let template = try URITemplate("/a/{x}/b{?y,z}{&w}", names: ["x", "y", "z", "w"])
        let values: [String: JSONValue] = ["x": .string("a/b?c#d é"), "y": .integer(42), "w": .bool(true)]
        #expect(try template.expand(values) == "/a/a%2Fb%3Fc%23d%20%C3%A9/b?y=42&w=true")
        #expect(try template.expand(["x": .number(2.5), "z": .string("+1 555")]) == "/a/2.5/b?z=%2B1%20555")
        #expect(throws: InputRefusal.notPathSegment("x")) { try template.expand(["x": .string("..")]) }
        #expect(throws: URITemplate.Problem.self) { try URITemplate("/a/{x", names: ["x"]) }
        #expect(throws: URITemplate.Problem.self) { try URITemplate("/a b", names: []) }
        #expect(throws: URITemplate.Problem.self) { try URITemplate("/a#b", names: []) }
    }

    @Test("a GraphQL query is written as GraphQL's docs write it; a string that names an input but is sent as written gets one warning line")
    func literalBraces() throws {
        let yaml = """
            upstreams:
              api: { url: "https://api.example/graphql" }
            actions:
              customer:
                inputs: { phone: { type: string, required: true, pattern: "^[0-9+]+$" } }
                request:
                  upstream: api
                  method: POST
                  path: /
                  body:
                    query: "query($phone: String!){customer(phone:$phone){phone}}"
                    variables: { phone: "{phone}" }
                    note: "Dear {phone}"
                outputs: { found: found }
            """
        let (file, problems) = Self.parse(yaml)
        #expect(problems == [])
        #expect(
            try #require(file).warnings == [
                "actions.yaml:11: actions.customer.request.body: 'Dear {phone}' is sent as written; a value goes in a string that is exactly \"{name}\"",
                "actions.yaml:11: actions.customer.request.body: 'query($phone: String!){customer(phone:$phone){phone}}' is sent as written; a value goes in a string that is exactly \"{name}\"",
            ]
        )
    }

    @Test("a body template places typed values, leaves out a member not sent, and sends other strings as written")
    func bodyTemplates() throws {
        let inputs = [
            ActionInput(name: "x", type: .integer), ActionInput(name: "y", type: .boolean, required: true),
            ActionInput(name: "z", type: .string, required: true), ActionInput(name: "w", type: .string),
        ]
        let template = try BodyTemplate(
            .object([
                "a": .string("{x}"), "b": .array([.string("{y}"), .string("{z}"), .string("literal {not-input}")]), "c": .integer(1),
                "d": .string("{w}"), "q": .string("query($z: String!){customer(phone:$z){phone}} {z}"),
            ]),
            inputs: inputs
        )
        #expect(
            template.render(["x": .integer(7), "y": .bool(false), "z": .string("B")])
                == .object([
                    "a": .integer(7), "b": .array([.bool(false), .string("B"), .string("literal {not-input}")]), "c": .integer(1),
                    "q": .string("query($z: String!){customer(phone:$z){phone}} {z}"),
                ])
        )
        #expect(template.textsNamingInputs == ["query($z: String!){customer(phone:$z){phone}} {z}"])
        // An array element naming an optional input would shift the array when it is not sent.
        #expect(throws: BodyTemplate.Problem.self) { try BodyTemplate(.array([.string("{w}"), .string("{z}")]), inputs: inputs) }
    }
}

/// Input patterns match by Unicode scalar, and the fast path for one character class answers
/// exactly as the regex engine does.
@Suite("Input patterns", .timeLimit(.minutes(3)))
struct InputPatternTests {
    @Test("a control character inside a grapheme cluster (\\r\\n) does not slip past a class that refuses it")
    func scalarSemantics() throws {
        let pattern = try #require(InputPattern(#"^[^/?#\u0000-\u001F\u007F-\u009F]+$"#))
        #expect(pattern.isScalarClass)
        #expect(!pattern.matches("a\r\nb"))
        #expect(!pattern.regexMatches("a\r\nb"))
        #expect(pattern.matches("e\u{301}"))
    }

    static let fastPatterns = [
        #"^[^/?#\u0000-\u001F\u007F-\u009F]+$"#, #"^[a-z]+$"#, #"^[A-Za-z0-9_-]{1,8}$"#, #"^[-a-c]*$"#, #"^[a-c-]{2}$"#,
        #"^[\x41-\x43\/]{0,3}$"#, #"^[^\-\]]+$"#, #"^[é0-9]{2,}$"#,
    ]
    static let regexPatterns = [#"^\+?[0-9]{6,15}$"#, #"^[^@\s]+@[^@\s]+$"#, #"^[\d]+$"#, #"^[a-z&&[^b]]+$"#, #"[a-z]+"#, #"^[a-z]+"#]

    @Test("the fast path takes one-class patterns only, and agrees with the regex engine on every text")
    func fastPathAgrees() throws {
        let alphabet: [Character] = [
            "a", "b", "c", "z", "A", "C", "0", "9", "_", "-", "/", "?", "#", "]", "\\", "é", "e\u{301}", "\u{7}", "\u{85}", "\r\n", " ", "@",
        ]
        var generator = SystemRandomNumberGenerator()
        for source in Self.fastPatterns {
            let pattern = try #require(InputPattern(source), "\(source)")
            #expect(pattern.isScalarClass, "\(source)")
            for length in 0..<6 {
                for _ in 0..<200 {
                    let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                    #expect(pattern.matches(text) == pattern.regexMatches(text), "\(source) on \(text.debugDescription)")
                }
            }
        }
        for source in Self.regexPatterns {
            #expect(try #require(InputPattern(source)).isScalarClass == false, "\(source)")
        }
    }
}
