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

    /// Returns the body of `GET /api/v2/ipranges`.
    public func fetch(clientId: String, clientSecret: String) throws(Failure) -> [UInt8] {
        let token = try self.token(clientId: clientId, clientSecret: clientSecret)
        let api = self.client(baseURL: self.apiBaseURL, maxBodyBytes: 4 << 20)
        switch api.send(url: self.apiBaseURL + "/api/v2/ipranges", headers: ["Authorization: Bearer \(token)"]) {
        case .answered(200, let body?):
            return body
        case .answered(let status, _):
            throw Failure(description: "GET \(self.apiBaseURL)/api/v2/ipranges answered \(status)")
        case .failed(let failure):
            throw Failure(description: "cannot reach Genesys Cloud at \(self.apiBaseURL): \(failure.logDetail)")
        }
    }

    private func token(clientId: String, clientSecret: String) throws(Failure) -> String {
        let login = self.client(baseURL: self.loginBaseURL, maxBodyBytes: 1 << 20)
        let credentials = Data("\(clientId):\(clientSecret)".utf8).base64EncodedString()
        let answer = login.send(
            method: "POST",
            url: self.loginBaseURL + "/oauth/token",
            body: Array("grant_type=client_credentials".utf8),
            headers: ["Authorization: Basic \(credentials)", "Content-Type: application/x-www-form-urlencoded"]
        )
        switch answer {
        case .answered(200, let body?):
            guard let token = (try? JSONValue.parse(body))?.objectValue?["access_token"]?.stringValue else {
                throw Failure(description: "the Genesys login answered without an access_token")
            }
            return token
        case .answered(let status, _):
            throw Failure(description: "the Genesys login answered \(status): check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET")
        case .failed(let failure):
            throw Failure(description: "cannot reach Genesys Cloud at \(self.loginBaseURL): \(failure.logDetail)")
        }
    }

    private func client(baseURL: String, maxBodyBytes: Int) -> UpstreamClient {
        UpstreamClient(
            settings: UpstreamSettings(
                name: "genesys-cloud",
                baseURL: baseURL,
                timeoutMilliseconds: 30_000,
                maxBodyBytes: maxBodyBytes,
                proxy: self.proxy,
                userAgent: self.userAgent
            )
        )
    }
}
