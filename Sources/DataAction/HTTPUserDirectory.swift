import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// The user directory over HTTP: `GET {EXTERNAL_API_URL}/{userId}` on a shared, pooled
/// AsyncHTTPClient.
///
/// One client serves every request, so connections are kept alive and reused; its pool is at
/// least as large as the number of requests that can be in flight, so lookups never queue
/// behind each other for a connection. Redirects are not followed (a redirect answers 502)
/// and a failed connection is not retried: the caller is on the phone, and the contract
/// answers 502 at once.
public final class HTTPUserDirectory: UserDirectory {
    private let client: HTTPClient
    private let settings: UpstreamSettings
    private let fixedHeaders: HTTPHeaders

    /// Creates the directory and its connection pool.
    ///
    /// - Parameter concurrentRequests: how many lookups may be in flight at once (the worker
    ///   count); the pool keeps that many connections.
    public init(settings: UpstreamSettings, concurrentRequests: Int) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(settings.timeoutMilliseconds))),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrentRequests, 8)
            ),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.settings = settings
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "data-action/\(DataActionVersion.current)")
        if let authorization = settings.authorization {
            headers.add(name: "Authorization", value: authorization)
        }
        self.fixedHeaders = headers
    }

    /// Closes every pooled connection. Call once, before the process ends.
    public func shutdown() async throws {
        try await self.client.shutdown()
    }

    public func lookUpUser(_ id: UserIdentifier) async -> UserLookupResult {
        let timeout = Duration.milliseconds(self.settings.timeoutMilliseconds)
        do {
            return try await withThrowingTaskGroup(of: UserLookupResult.self) { group in
                group.addTask { try await self.fetch(id, deadline: .now() + .milliseconds(Int64(self.settings.timeoutMilliseconds))) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .failed(.timedOut)
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .cancelled {
            return .failed(.timedOut)
        } catch is CancellationError {
            return .failed(.timedOut)
        } catch {
            return .failed(.unreachable(reason: Self.describe(error)))
        }
    }

    /// One GET and its answer, body included; throws on transport errors.
    private func fetch(_ id: UserIdentifier, deadline: NIODeadline) async throws -> UserLookupResult {
        var request = HTTPClientRequest(url: self.settings.baseURL + "/" + id.pathSegment)
        request.method = .GET
        request.headers = self.fixedHeaders
        let response = try await self.client.execute(request, deadline: deadline)
        let status = Int(response.status.code)
        var body = ByteBuffer()
        var bodyTooLarge = false
        do {
            body = try await response.body.collect(upTo: self.settings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            bodyTooLarge = true
        }
        switch status {
        case 200..<300:
            guard !bodyTooLarge else { return .failed(.bodyTooLarge(status: status)) }
            guard let object = try? JSONValue.parse(Array(buffer: body)).objectValue else {
                return .failed(.invalidBody(status: status))
            }
            let record = UserRecord(
                name: object["name"]?.stringValue,
                email: object["email"]?.stringValue,
                phone: object["phone"]?.stringValue
            )
            return .found(record, upstreamStatus: status)
        case 404:
            return .notFound
        default:
            return .failed(.unexpectedStatus(status))
        }
    }

    /// A short, secret-free description of a transport error for the log.
    private static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .remoteConnectionClosed: return "connection closed by the directory"
            case .connectTimeout: return "connect timed out"
            default: return "\(clientError)"
            }
        }
        let text = "\(error)"
        if text.contains("refused") { return "connection refused" }
        if text.contains("reset") { return "connection reset" }
        return String(text.prefix(120))
    }
}
