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

    public var eventLoop: any EventLoop { self.client.eventLoopGroup.any() }

    /// Closes every pooled connection. Call once, before the process ends.
    public func shutdown() async throws {
        try await self.client.shutdown()
    }

    /// Looks one user up with one GET whose deadline covers the whole exchange, body included.
    ///
    /// This uses AsyncHTTPClient's delegate API: the answer is collected and turned into a
    /// result on the connection's event loop, and the deadline is one timer on that loop. (The
    /// async API's deadline stops at the response head, and a task group racing a sleep per
    /// request cost a measured third of the lookup's CPU.)
    public func lookUpUser(_ id: UserIdentifier) -> EventLoopFuture<UserLookupResult> {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: self.settings.baseURL + "/" + id.pathSegment, method: .GET, headers: self.fixedHeaders)
        } catch {
            return self.eventLoop.makeSucceededFuture(.failed(.unreachable(reason: Self.describe(error))))
        }
        let collector = DirectoryAnswerCollector(maxBodyBytes: self.settings.maxBodyBytes)
        let deadline = NIODeadline.now() + .milliseconds(Int64(self.settings.timeoutMilliseconds))
        return self.client.execute(request: request, delegate: collector, deadline: deadline).futureResult.recover { error in
            switch error {
            case let tooLarge as DirectoryAnswerCollector.BodyTooLarge:
                return Self.result(status: tooLarge.status, body: nil)
            case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .cancelled:
                return .failed(.timedOut)
            default:
                return .failed(.unreachable(reason: Self.describe(error)))
            }
        }
    }

    /// The result for a directory answer; `body` is nil when it was over the limit.
    static func result(status: Int, body: ByteBuffer?) -> UserLookupResult {
        switch status {
        case 200..<300:
            guard let body else { return .failed(.bodyTooLarge(status: status)) }
            guard let object = try? JSONValue.parse(body.readableBytesView).objectValue else {
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

/// Collects one directory answer on its event loop, up to a byte limit, and turns it into a
/// ``UserLookupResult`` there.
///
/// AsyncHTTPClient calls a delegate on the request's event loop, one call at a time, so the
/// mutable state needs no lock.
final class DirectoryAnswerCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = UserLookupResult

    /// The answer's body passed the limit; reading stopped.
    struct BodyTooLarge: Error {
        let status: Int
    }

    private let maxBodyBytes: Int
    private var status = 0
    private var body = ByteBuffer()

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.status = Int(head.status.code)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard self.body.readableBytes + buffer.readableBytes <= self.maxBodyBytes else {
            return task.eventLoop.makeFailedFuture(BodyTooLarge(status: self.status))
        }
        var buffer = buffer
        self.body.writeBuffer(&buffer)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> UserLookupResult {
        HTTPUserDirectory.result(status: self.status, body: self.body)
    }
}
