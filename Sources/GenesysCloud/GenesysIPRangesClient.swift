import FoundationEssentials
import JSON
import UpstreamHTTP

/// Fetches Genesys Cloud's published IP ranges with an OAuth client-credentials token.
///
/// `POST https://login.{environment}/oauth/token` with the client's id and secret, then
/// `GET https://api.{environment}/api/v2/ipranges` with the token. Any OAuth client of the
/// organisation may read the ranges; no permission is needed.
public struct GenesysIPRangesClient: Sendable {
    /// Where the token comes from, e.g. `https://login.mypurecloud.com`.
    public var loginBaseURL: String
    /// Where the ranges come from, e.g. `https://api.mypurecloud.com`.
    public var apiBaseURL: String
    /// The proxy calls go out through.
    public var proxy: UpstreamProxy = UpstreamProxy()
    /// Sent as `User-Agent`.
    public var userAgent = "data-action"

    /// A failed fetch; the text never carries the client secret or the token.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The URLs of a Genesys Cloud environment (region domain), e.g. `mypurecloud.com` or
    /// `mypurecloud.ie`.
    public init(environment: String) {
        self.loginBaseURL = "https://login.\(environment)"
        self.apiBaseURL = "https://api.\(environment)"
    }

    /// Returns the body of `GET /api/v2/ipranges`, with a token from the Genesys login
    /// (`POST /oauth/token`, the client in HTTP Basic) fetched by the service's one OAuth2 client.
    public func fetch(clientId: String, clientSecret: String) throws(Failure) -> [UInt8] {
        let login = OAuth2TokenSource.Credentials(
            tokenURL: self.loginBaseURL + "/oauth/token",
            clientId: clientId,
            clientSecret: clientSecret,
            clientAuthentication: .basic
        )
        let api = UpstreamClient(
            settings: UpstreamSettings(
                name: "genesys-cloud",
                baseURL: self.apiBaseURL,
                timeoutMilliseconds: 30_000,
                maxBodyBytes: 4 << 20,
                proxy: self.proxy,
                userAgent: self.userAgent,
                authentication: .oauth2(login)
            )
        )
        switch api.send(url: self.apiBaseURL + "/api/v2/ipranges") {
        case .answered(200, let body?):
            return body
        case .answered(let status, _):
            throw Failure(description: "GET \(self.apiBaseURL)/api/v2/ipranges answered \(status)")
        case .failed(.tokenRefused(_, let error)):
            throw Failure(description: "the Genesys login refused the client (\(error)): check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET")
        case .failed(.tokenUnavailable(_, let failure)):
            throw Failure(description: "cannot reach Genesys Cloud at \(self.loginBaseURL): \(failure.logDetail)")
        case .failed(let failure):
            throw Failure(description: "cannot reach Genesys Cloud at \(self.apiBaseURL): \(failure.logDetail)")
        }
    }
}
