import Dispatch
import FoundationEssentials
import JSON
import Synchronization

/// OAuth 2.0 client credentials (RFC 6749 §4.4): the bearer token an upstream's calls carry.
///
/// The token is kept until `expires_in` minus a minute (an hour when the endpoint gives no
/// `expires_in`), and fetched once for every caller that needs it at the same time. A caller
/// whose call the upstream answered 401 asks again with the token that failed; the first such
/// caller fetches a new one and the others get it. The token request is a form-encoded POST
/// (§4.4.2) through the same TLS and proxy rules as the upstream; an error answer (§5.2) names
/// its `error` code. No token or secret ever reaches a failure's text.
public final class OAuth2TokenSource: Sendable {
    /// The grant as configured, secrets read.
    public struct Credentials: Sendable {
        /// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
        public enum ClientAuthentication: Sendable {
            /// `client_id` and `client_secret` as form fields.
            case body
            /// HTTP Basic with the form-encoded client id and secret.
            case basic
        }

        public var tokenURL: String
        public var clientId: String
        public var clientSecret: String
        public var scope: String?
        /// Extra form fields (`audience`, `resource`).
        public var parameters: [(name: String, value: String)]
        public var clientAuthentication: ClientAuthentication

        public init(
            tokenURL: String,
            clientId: String,
            clientSecret: String,
            scope: String? = nil,
            parameters: [(name: String, value: String)] = [],
            clientAuthentication: ClientAuthentication = .body
        ) {
            self.tokenURL = tokenURL
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
            self.parameters = parameters
            self.clientAuthentication = clientAuthentication
        }
    }

    /// What became of one token request, for the metric.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A token was issued.
        case issued
        /// The endpoint answered with an error (`invalid_client`, …) or without a token.
        case refused
        /// The endpoint was not reached or did not answer in time.
        case failed
    }

    private final class Flight: @unchecked Sendable {
        // Sendable: `result` is written once, before `done` is left; readers wait for `done`.
        let done = DispatchGroup()
        var result: Result<String, UpstreamFailure>?
    }

    private struct State {
        var token: String?
        var expires = ContinuousClock.Instant.now
        var flight: Flight?
    }

    private let credentials: Credentials
    private let client: UpstreamClient
    /// The endpoint as the log names it: scheme, host and path, no query.
    let endpoint: String
    private let state = Mutex(State())
    private let observe: @Sendable (Outcome) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates the source; `settings` are the upstream's (TLS, proxy, timeout), applied to the
    /// token endpoint's host. `observe` learns each token request's outcome.
    public init(
        credentials: Credentials,
        settings: UpstreamSettings,
        observe: @escaping @Sendable (Outcome) -> Void = { _ in },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.credentials = credentials
        var endpointSettings = settings
        endpointSettings.baseURL = credentials.tokenURL
        endpointSettings.headers = []
        endpointSettings.authentication = nil
        endpointSettings.queryParameters = []
        self.client = UpstreamClient(settings: endpointSettings)
        self.endpoint = String(credentials.tokenURL.prefix { $0 != "?" })
        self.observe = observe
        self.now = now
    }

    /// A token for a call: the kept one while it is valid, or a new one (`fetched`: this caller
    /// waited for a token request). `stale` is a token the upstream refused with 401: unless
    /// another caller has already replaced it, a new one is fetched.
    public func token(replacing stale: String? = nil) -> (token: Result<String, UpstreamFailure>, fetched: Bool) {
        enum Plan {
            case kept(String)
            case join(Flight)
            case lead(Flight)
        }
        let now = self.now()
        let plan = self.state.withLock { state -> Plan in
            if let token = state.token, token != stale, now < state.expires {
                return .kept(token)
            }
            if let flight = state.flight {
                return .join(flight)
            }
            let flight = Flight()
            flight.done.enter()
            state.flight = flight
            return .lead(flight)
        }
        switch plan {
        case .kept(let token):
            return (.success(token), false)
        case .join(let flight):
            flight.done.wait()
            return (flight.result!, true)
        case .lead(let flight):
            let fetched = self.fetch()
            let finished = self.now()
            self.state.withLock { state in
                state.flight = nil
                if case .success(let issued) = fetched {
                    state.token = issued.token
                    state.expires = finished + issued.lifetime
                }
            }
            let result = fetched.map(\.token)
            flight.result = result
            flight.done.leave()
            return (result, true)
        }
    }

    /// One token request: the token and how long it is kept, or why there is none.
    private func fetch() -> Result<(token: String, lifetime: Duration), UpstreamFailure> {
        var form = [("grant_type", "client_credentials")]
        if let scope = self.credentials.scope { form.append(("scope", scope)) }
        form += self.credentials.parameters
        var headers = ["Content-Type: application/x-www-form-urlencoded"]
        switch self.credentials.clientAuthentication {
        case .body:
            form += [("client_id", self.credentials.clientId), ("client_secret", self.credentials.clientSecret)]
        case .basic:
            let pair = formEncoded(self.credentials.clientId) + ":" + formEncoded(self.credentials.clientSecret)
            headers.append("Authorization: Basic " + Data(pair.utf8).base64EncodedString())
        }
        let body = form.map { formEncoded($0.0) + "=" + formEncoded($0.1) }.joined(separator: "&")
        let answer = self.client.send(method: "POST", url: self.credentials.tokenURL, body: Array(body.utf8), headers: headers)
        let result = self.read(answer)
        switch result {
        case .success: self.observe(.issued)
        case .failure(.tokenRefused): self.observe(.refused)
        case .failure: self.observe(.failed)
        }
        return result
    }

    /// The token and its lifetime from the endpoint's answer (RFC 6749 §5.1, §5.2).
    private func read(_ answer: UpstreamClient.Answer) -> Result<(token: String, lifetime: Duration), UpstreamFailure> {
        switch answer {
        case .failed(let failure):
            return .failure(.tokenUnavailable(endpoint: self.endpoint, failure))
        case .answered(let status, let body):
            let document = body.flatMap { try? JSONValue.parse($0) }?.objectValue
            guard (200..<300).contains(status) else {
                let code = document?["error"]?.stringValue.map(Self.printable) ?? "status \(status)"
                return .failure(.tokenRefused(endpoint: self.endpoint, error: code))
            }
            guard let token = document?["access_token"]?.stringValue, !token.isEmpty,
                document?["token_type"]?.stringValue.map({ $0.lowercased() == "bearer" }) ?? true
            else {
                return .failure(.tokenRefused(endpoint: self.endpoint, error: "no bearer access_token in the answer"))
            }
            let seconds: Int64 =
                switch document?["expires_in"] {
                case .integer(let value)?: value
                case .string(let text)?: Int64(text) ?? 3600
                default: 3600
                }
            return .success((token, .seconds(seconds > 120 ? seconds - 60 : max(seconds / 2, 0))))
        }
    }

    /// An `error` code as the log may carry it: printable ASCII, at most 64 characters (RFC 6749
    /// §5.2 allows nothing else in a code).
    private static func printable(_ code: String) -> String {
        String(code.unicodeScalars.filter { $0.value >= 0x21 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }.prefix(64).map(Character.init))
    }
}
