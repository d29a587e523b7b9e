/// How an upstream authenticates the service's calls, as the file declares it: secrets only as
/// settings (`{ env: NAME }`), resolved when the service starts.
public enum UpstreamAuthDeclaration: Sendable, Equatable {
    /// HTTP Basic (RFC 7617): `Authorization: Basic` with the user name and password.
    case basic(username: SettingValue, password: SettingValue)
    /// OAuth 2.0 client credentials (RFC 6749 §4.4): a bearer token from the token endpoint.
    case oauth2(OAuth2Declaration)
}

/// An OAuth 2.0 client-credentials grant as the file declares it.
public struct OAuth2Declaration: Sendable, Equatable {
    /// How the client proves who it is to the token endpoint (RFC 6749 §2.3.1).
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        /// `client_id` and `client_secret` as form fields.
        case body
        /// HTTP Basic with the client id and secret.
        case basic
    }

    /// The token endpoint, absolute https (or http on loopback for tests).
    public var tokenURL: SettingValue
    public var clientId: SettingValue
    /// Always a setting: never written in the file.
    public var clientSecret: SettingValue
    /// The `scope` form field, when the API wants one.
    public var scope: String?
    /// Extra form fields the token endpoint needs (`audience`, `resource`), in file order.
    public var parameters: [(name: String, value: String)]
    public var clientAuthentication: ClientAuthentication

    public init(
        tokenURL: SettingValue,
        clientId: SettingValue,
        clientSecret: SettingValue,
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

    public static func == (left: Self, right: Self) -> Bool {
        left.tokenURL == right.tokenURL && left.clientId == right.clientId && left.clientSecret == right.clientSecret
            && left.scope == right.scope && left.parameters.map(\.name) == right.parameters.map(\.name)
            && left.parameters.map(\.value) == right.parameters.map(\.value) && left.clientAuthentication == right.clientAuthentication
    }
}
