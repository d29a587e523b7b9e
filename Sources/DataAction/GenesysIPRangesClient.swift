import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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
    public func fetch(clientId: String, clientSecret: String) async throws -> [UInt8] {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(redirectConfiguration: .disallow))
        let result: Result<[UInt8], Failure>
        do {
            result = .success(try await self.ranges(clientId: clientId, clientSecret: clientSecret, client: client))
        } catch let failure as Failure {
            result = .failure(failure)
        } catch {
            result = .failure(Failure(description: "cannot reach Genesys Cloud (\(self.loginBaseURL), \(self.apiBaseURL))"))
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func ranges(clientId: String, clientSecret: String, client: HTTPClient) async throws -> [UInt8] {
        let token = try await self.token(clientId: clientId, clientSecret: clientSecret, client: client)
        var request = HTTPClientRequest(url: self.apiBaseURL + "/api/v2/ipranges")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status == .ok else {
            throw Failure(description: "GET \(self.apiBaseURL)/api/v2/ipranges answered \(response.status.code)")
        }
        return Array(buffer: body)
    }

    private func token(clientId: String, clientSecret: String, client: HTTPClient) async throws -> String {
        var request = HTTPClientRequest(url: self.loginBaseURL + "/oauth/token")
        request.method = .POST
        let credentials = Data("\(clientId):\(clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw Failure(
                description: "the Genesys login answered \(response.status.code): check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET"
            )
        }
        guard let token = (try? JSONValue.parse(Array(buffer: body)))?.objectValue?["access_token"]?.stringValue else {
            throw Failure(description: "the Genesys login answered without an access_token")
        }
        return token
    }
}
