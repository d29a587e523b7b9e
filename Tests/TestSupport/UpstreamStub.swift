import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP server on loopback that plays the upstreams in tests: the user records, and a small CRM and ticket system.
///
/// It serves jsonplaceholder's `/users/{id}` shape, plus special ids that misbehave in the ways
/// the contract must survive. It counts requests and the most it saw in flight at once.
public final class UpstreamStub: Sendable {
    /// The ids with special behaviour.
    public enum SpecialUser {
        /// 200 with a user whose fields are null or not strings.
        public static let nullFields = "nulls"
        /// 200 with non-ASCII fields.
        public static let nonASCII = "unicode"
        /// 200 with a user who has a name and no email or phone.
        public static let missingFields = "sparse"
        /// Answers after ``UpstreamStub/slowDelay``.
        public static let slow = "slow"
        /// Held at the stub's gate until the test opens it (``UpstreamStub/openGate()``) or the
        /// stub stops; ``UpstreamStub/waitUntilHeld(_:timeout:)`` waits for N of them.
        public static let held = "held"
        /// Resets the connection without answering.
        public static let reset = "reset"
        /// Closes the connection (a clean FIN) without answering.
        public static let closed = "closed"
        /// 302 to another user.
        public static let redirect = "redirect"
        /// 500.
        public static let serverError = "error"
        /// 200 with a 2 MiB body.
        public static let huge = "huge"
        /// 200 with a body that is not JSON.
        public static let notJSON = "notjson"
        /// 200 with a JSON array.
        public static let array = "array"
    }

    /// The OAuth2 client the stub's token endpoint (`POST /oauth2/token`) accepts.
    public static let oauthClient = (id: "crm-client", secret: "crm-client-secret-91d7")
    /// What every token the stub issues starts with, so a test can look for one in any output.
    public static let tokenPrefix = "stub-access-token-"

    /// The OAuth client the stub's Genesys login accepts.
    public static let genesysClient = (id: "stub-client", secret: "stub-client-secret-5e2a")
    /// The ranges the stub's `GET /api/v2/ipranges` answers.
    public static let ipRanges =
        #"{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"local"},"#
        + #"{"cidr":"127.0.0.3/32","service":"api","region":"local"}]}"#

    /// The sample user served for id `1`.
    public static let leanne =
        #"{"id":1,"name":"Leanne Graham","username":"Bret","email":"Sincere@april.biz","phone":"1-770-736-8031 x56442","address":{"city":"Gwenborough"},"company":{"name":"Romaguera-Crona"}}"#

    private let channel: any Channel
    private let state = Mutex(State())
    /// How long ``SpecialUser/slow`` waits before answering.
    public let slowDelay: TimeAmount

    struct State {
        /// Requests at the test's gate, and whether it is open.
        var atGate: [@Sendable () -> Void] = []
        var gateOpen = false
        /// OAuth2: tokens issued, those the resource accepts, how the clients authenticated,
        /// the lifetime given, and whether token requests wait at the gate.
        var issuedTokens: [String] = []
        var validTokens: Set<String> = []
        var clientAuthentications: [String] = []
        var tokenLifetime: Int? = 3600
        var holdTokenRequests = false
        var requests: [RecordedRequest] = []
        var inFlight = 0
        var mostInFlight = 0
    }

    /// A request the stub received.
    public struct RecordedRequest: Sendable {
        public var method: String
        public var uri: String
        public var headers: [String: String]
        public var body: String
    }

    /// Starts the stub on 127.0.0.1, on `port` or (0) a free one.
    public init(slowDelay: TimeAmount = .seconds(1), port: Int = 0) async throws {
        self.slowDelay = slowDelay
        let box = StubBox()
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(StubHandler(stub: box))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        box.stub = self
    }

    /// The base URL to put in `EXTERNAL_API_URL`.
    public var baseURL: String { self.origin + "/users" }

    /// `http://127.0.0.1:PORT`.
    public var origin: String { "http://127.0.0.1:\(self.channel.localAddress!.port!)" }

    /// Every request received so far.
    public var requests: [RecordedRequest] { self.state.withLock { $0.requests } }

    /// The most requests that were in flight at the same time.
    public var mostInFlight: Int { self.state.withLock { $0.mostInFlight } }

    /// Stops listening; whatever waits at the gate is answered first.
    public func stop() async throws {
        self.openGate()
        try await self.channel.close()
    }

    /// The tokens issued so far, in order.
    public var issuedTokens: [String] { self.state.withLock { $0.issuedTokens } }

    /// How each token request authenticated its client: `basic` or `body`.
    public var clientAuthentications: [String] { self.state.withLock { $0.clientAuthentications } }

    /// The resource no longer accepts any token issued so far (as after a key rotation).
    public func revokeTokens() { self.state.withLock { $0.validTokens = [] } }

    /// The `expires_in` of the tokens issued from now on; nil leaves it out.
    public func setTokenLifetime(_ seconds: Int?) { self.state.withLock { $0.tokenLifetime = seconds } }

    /// Token requests wait at the gate (until ``openGate()`` or the stub stops).
    public func holdTokenRequests() { self.state.withLock { $0.holdTokenRequests = true } }

    /// How many requests wait at the gate now.
    public var heldCount: Int { self.state.withLock { $0.atGate.count } }

    /// Opens the gate: every ``SpecialUser/held`` request waiting is answered now, and later
    /// ones at once.
    public func openGate() {
        let release = self.state.withLock { state in
            state.gateOpen = true
            defer { state.atGate = [] }
            return state.atGate
        }
        for answer in release { answer() }
    }

    /// Waits until `count` requests wait at the closed gate; fails after `timeout`, saying what
    /// it saw.
    public func waitUntilHeld(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await waitUntil("\(count) requests held at the upstream's gate", timeout: timeout) {
            self.heldCount >= count
        } saw: {
            "\(self.heldCount) held, \(self.requests.count) received"
        }
    }

    /// Issues a token (RFC 6749 §5.1); with it, the lifetime to give.
    func issueToken() -> (token: String, lifetime: Int?) {
        self.state.withLock { state in
            let token = Self.tokenPrefix + "\(state.issuedTokens.count + 1)"
            state.issuedTokens.append(token)
            state.validTokens.insert(token)
            return (token, state.tokenLifetime)
        }
    }

    func recordClientAuthentication(_ method: String) {
        self.state.withLock { $0.clientAuthentications.append(method) }
    }

    func accepts(token: String) -> Bool { self.state.withLock { $0.validTokens.contains(token) } }

    /// Runs `answer` now, or at the gate when token requests are held.
    func answerTokenRequest(_ answer: @escaping @Sendable () -> Void) {
        let held = self.state.withLock { state in
            if state.holdTokenRequests && !state.gateOpen { state.atGate.append(answer) }
            return state.holdTokenRequests && !state.gateOpen
        }
        if !held { answer() }
    }

    /// Holds `answer` at the gate while it is closed; runs it at once when it is open.
    func holdAtGate(_ answer: @escaping @Sendable () -> Void) {
        let open = self.state.withLock { state in
            if !state.gateOpen { state.atGate.append(answer) }
            return state.gateOpen
        }
        if open { answer() }
    }

    func began(_ request: RecordedRequest) {
        self.state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
        }
    }

    func ended() {
        self.state.withLock { $0.inFlight -= 1 }
    }
}

/// Lets the handler reach the stub once it exists.
private final class StubBox: @unchecked Sendable {
    weak var stub: UpstreamStub?
}

private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let stub: StubBox
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(stub: StubBox) {
        self.stub = stub
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body.clear()
        case .body(var part):
            self.body.writeBuffer(&part)
        case .end:
            guard let head = self.head, let stub = self.stub.stub else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let body = String(buffer: self.body)
            stub.began(.init(method: head.method.rawValue, uri: head.uri, headers: headers, body: body))
            self.answer(head, headers: headers, body: body, stub: stub, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, headers: [String: String], body: String, stub: UpstreamStub, context: ChannelHandlerContext) {
        // Genesys Cloud's login and ipranges API, for `data-action allowlist --fetch`.
        let token = "stub-token-7c41"
        switch head.uri {
        case "/oauth2/token":
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            let answer = Self.oauthToken(head, body: body, stub: stub)
            stub.answerTokenRequest {
                eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.send(answer.status, answer.body, extraHeaders: answer.headers, context: context, stub: stub)
                }
            }
            return
        case "/oauth/token":
            let expected = "Basic " + Data("\(UpstreamStub.genesysClient.id):\(UpstreamStub.genesysClient.secret)".utf8).base64EncodedString()
            if head.method == .POST && head.headers["authorization"].first == expected {
                self.send(.ok, #"{"access_token":"\#(token)","token_type":"bearer","expires_in":86400}"#, context: context, stub: stub)
            } else {
                self.send(.unauthorized, #"{"error":"invalid_client"}"#, context: context, stub: stub)
            }
            return
        case "/api/v2/ipranges":
            let authorized = head.headers["authorization"].first == "Bearer \(token)"
            self.send(authorized ? .ok : .unauthorized, authorized ? UpstreamStub.ipRanges : "{}", context: context, stub: stub)
            return
        default:
            break
        }
        let request = StubRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
        for api in UpstreamStub.documentedAPIs {
            if let answer = api.answer(request, stub: stub) {
                self.send(HTTPResponseStatus(statusCode: answer.status), answer.body, extraHeaders: answer.headers, context: context, stub: stub)
                return
            }
        }
        if head.uri.hasPrefix("/secured/") {
            // A resource behind OAuth2 bearer tokens (RFC 6750 §2.1, §3.1): 401 with
            // `WWW-Authenticate: Bearer error="invalid_token"` for a missing or revoked token.
            let presented = head.headers["authorization"].first.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            let id = String(head.uri.split(separator: "/").last ?? "")
            // `refused` refuses every token, as a resource whose client lost its grant.
            guard let presented, stub.accepts(token: presented), id != "refused" else {
                self.send(
                    .unauthorized,
                    #"{"error":"invalid_token"}"#,
                    extraHeaders: [("WWW-Authenticate", #"Bearer error="invalid_token""#)],
                    context: context,
                    stub: stub
                )
                return
            }
            if head.uri.hasPrefix("/secured/tickets/") {
                // A ticket updated in place, answered as ServiceNow's Table API answers a PATCH:
                // 200 with the record under `result`.
                switch id {
                case "t-404": self.send(.notFound, #"{"error":{"message":"No Record found"}}"#, context: context, stub: stub)
                case "t-500": self.send(.internalServerError, "{}", context: context, stub: stub)
                case "t-1": self.send(.ok, #"{"result":{"status":null,"updated_by":7}}"#, context: context, stub: stub)
                default: self.send(.ok, #"{"result":{"status":"open","updated_by":"genesys"}}"#, context: context, stub: stub)
                }
                return
            }
            self.send(id == "404" ? .notFound : .ok, id == "404" ? "{}" : #"{"id":"\#(id)","name":"Ada Lovelace"}"#, context: context, stub: stub)
            return
        }
        if let answer = Self.searchAndCRM(head, body: body) {
            self.send(answer.status, answer.body, context: context, stub: stub)
            return
        }
        let id = String(head.uri.split(separator: "/").last ?? "")
        switch id {
        case "1":
            self.send(.ok, UpstreamStub.leanne, context: context, stub: stub)
        case UpstreamStub.SpecialUser.nullFields:
            self.send(.ok, #"{"id":7,"name":null,"email":42,"phone":{"home":"1"}}"#, context: context, stub: stub)
        case UpstreamStub.SpecialUser.missingFields:
            self.send(.ok, #"{"id":8,"name":"Sparse Person"}"#, context: context, stub: stub)
        case UpstreamStub.SpecialUser.nonASCII:
            self.send(.ok, #"{"name":"Zoë Ångström 山田 \"quoted\"","email":"zoë@example.com","phone":"+46 8 123"}"#, context: context, stub: stub)
        case UpstreamStub.SpecialUser.slow:
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: stub.slowDelay) {
                let (handler, context) = loopBound.value
                handler.send(.ok, UpstreamStub.leanne, context: context, stub: stub)
            }
        case UpstreamStub.SpecialUser.held:
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            stub.holdAtGate {
                eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.send(.ok, UpstreamStub.leanne, context: context, stub: stub)
                }
            }
        case UpstreamStub.SpecialUser.reset:
            stub.ended()
            // Linger zero turns the close into a TCP reset.
            let lingerSet = (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            (lingerSet ?? context.eventLoop.makeSucceededVoidFuture()).whenComplete { _ in context.close(promise: nil) }
        case UpstreamStub.SpecialUser.closed:
            stub.ended()
            context.close(promise: nil)
        case UpstreamStub.SpecialUser.redirect:
            self.send(.found, "", extraHeaders: [("Location", "/users/1")], context: context, stub: stub)
        case UpstreamStub.SpecialUser.serverError:
            self.send(.internalServerError, #"{"error":"boom"}"#, context: context, stub: stub)
        case UpstreamStub.SpecialUser.huge:
            self.send(.ok, #"{"name":""# + String(repeating: "x", count: 2 << 20) + #""}"#, context: context, stub: stub)
        case UpstreamStub.SpecialUser.notJSON:
            self.send(.ok, "<html>hello</html>", context: context, stub: stub)
        case UpstreamStub.SpecialUser.array:
            self.send(.ok, "[1,2,3]", context: context, stub: stub)
        default:
            self.send(.notFound, "{}", context: context, stub: stub)
        }
    }

    /// An OAuth2 token endpoint for the client-credentials grant as RFC 6749 words it: the
    /// request is a form-encoded POST with `grant_type=client_credentials` (§4.4.2), the client
    /// authenticated with HTTP Basic or `client_id`/`client_secret` in the body, never both
    /// (§2.3.1); the success is JSON with `access_token`, `token_type` and `expires_in`, and
    /// `Cache-Control: no-store` (§5.1); an error is 400 (401 for `invalid_client`) with an
    /// `error` code (§5.2).
    private static func oauthToken(
        _ head: HTTPRequestHead,
        body: String,
        stub: UpstreamStub
    ) -> (status: HTTPResponseStatus, body: String, headers: [(String, String)]) {
        func error(_ status: HTTPResponseStatus, _ code: String) -> (HTTPResponseStatus, String, [(String, String)]) {
            (status, #"{"error":"\#(code)"}"#, status == .unauthorized ? [("WWW-Authenticate", #"Basic realm="token""#)] : [])
        }
        guard head.method == .POST, head.headers["content-type"].first == "application/x-www-form-urlencoded" else {
            return error(.badRequest, "invalid_request")
        }
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        guard form["grant_type"] == "client_credentials" else { return error(.badRequest, "unsupported_grant_type") }
        var client: (id: String, secret: String)?
        if let basic = head.headers["authorization"].first, basic.hasPrefix("Basic ") {
            guard form["client_id"] == nil, form["client_secret"] == nil else { return error(.badRequest, "invalid_request") }
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let parts = decoded.split(separator: ":", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { client = (parts[0], parts[1]) }
            stub.recordClientAuthentication("basic")
        } else if let id = form["client_id"], let secret = form["client_secret"] {
            client = (id, secret)
            stub.recordClientAuthentication("body")
        }
        guard let client, client.id == UpstreamStub.oauthClient.id, client.secret == UpstreamStub.oauthClient.secret else {
            return error(.unauthorized, "invalid_client")
        }
        let (token, lifetime) = stub.issueToken()
        let expires = lifetime.map { #","expires_in":\#($0)"# } ?? ""
        return (.ok, #"{"access_token":"\#(token)","token_type":"Bearer"\#(expires)}"#, [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// The stub's other upstreams: jsonplaceholder's search and a small CRM and ticket system,
    /// for the actions in deploy/demo/actions.yaml and deploy/actions.example.yaml. Values that
    /// end in `0001` answer records with missing, null and wrongly typed fields; `0500` a 500.
    private static func searchAndCRM(_ head: HTTPRequestHead, body: String) -> (status: HTTPResponseStatus, body: String)? {
        let url = URLComponents(string: head.uri)
        let query = Dictionary((url?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        switch url?.path {
        case "/users" where head.uri.hasPrefix("/users?"):
            // jsonplaceholder's search, `/users?email=…`: a list of the users that match.
            switch query["email"] {
            case "Sincere@april.biz": return (.ok, "[\(UpstreamStub.leanne)]")
            case "sparse0001@example.com": return (.ok, #"[{"id":"eight","name":null,"company":{"name":7}}]"#)
            case "error0500@example.com": return (.internalServerError, "{}")
            default: return (.ok, "[]")
            }
        case "/contacts":
            switch query["phone"] {
            case "+15551234567":
                return (.ok, #"{"items":[{"id":"c-1","name":"Ada Lovelace","account":{"id":4711},"flags":{"vip":true}}],"total":1}"#)
            case "+15550000001": return (.ok, #"{"items":[{"id":"c-2","name":null,"account":{"id":"A-1"}}],"total":1}"#)
            case "+15550000500": return (.internalServerError, "{}")
            default: return (.ok, #"{"items":[],"total":0}"#)
            }
        case let path? where path.hasPrefix("/accounts/") && path.hasSuffix("/balance"):
            switch path {
            case "/accounts/4711/balance": return (.ok, #"{"balance":125.5,"currency":"EUR","overdue":false}"#)
            case "/accounts/10001/balance": return (.ok, #"{"balance":"n/a","currency":null}"#)
            case "/accounts/410/balance": return (.gone, "{}")
            case "/accounts/10500/balance": return (.internalServerError, "{}")
            default: return (.notFound, "{}")
            }
        case let path? where path.hasPrefix("/records/"):
            // Any method: answers what it was sent, so a test sees the method, the content type
            // and the body as the upstream got them.
            let contentType = head.headers["content-type"].first.map { "\"\($0)\"" } ?? "null"
            let count = head.headers["content-type"].count
            return (
                .ok,
                #"{"result":{"method":"\#(head.method.rawValue)","contentType":\#(contentType),"contentTypes":\#(count),"body":\#(body.isEmpty ? "null" : body)}}"#
            )
        case "/callbacks":
            // Creates a callback ticket from a JSON object and answers it, with what it was sent.
            guard head.method == .POST, head.headers["content-type"].first == "application/json",
                let request = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let phone = (request["callback"] as? [String: Any])?["phone"] as? String
            else { return (.badRequest, #"{"error":"POST a JSON object"}"#) }
            switch phone {
            case "+15550000001": return (.created, #"{"status":7}"#)
            case "+15550000404": return (.notFound, "{}")
            case "+15550000500": return (.internalServerError, "{}")
            default: return (.created, #"{"id":9001,"status":"queued","request":\#(body)}"#)
            }
        default:
            return nil
        }
    }

    private func send(
        _ status: HTTPResponseStatus,
        _ body: String,
        extraHeaders: [(String, String)] = [],
        context: ChannelHandlerContext,
        stub: UpstreamStub
    ) {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.utf8.count)")])
        headers.add(contentsOf: extraHeaders)
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        stub.ended()
    }
}
