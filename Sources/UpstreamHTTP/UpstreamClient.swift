/// What sends a request to an upstream and waits for its answer: the seam between an action
/// and the network. ``UpstreamClient`` is the real one.
public protocol UpstreamExchange: Sendable {
    /// Sends one request on the calling thread and waits for the whole answer.
    func send(method: String, url: String, body: [UInt8]?) -> UpstreamClient.Answer
}

/// Calls the upstream over HTTP with libcurl, on the calling thread.
///
/// Each thread that calls has one libcurl handle of its own, reused, so a worker keeps its
/// connection to the upstream alive between calls and no call waits for another thread.
/// Redirects are not followed and a failed connect is not retried: the caller is on the phone,
/// and the contract answers 502 at once.
public final class UpstreamClient: UpstreamExchange {
    /// The options every call shares, set once on each thread's handle.
    private let profile: LibCurl.Profile
    /// The headers every call sends.
    private let commonHeaders: [String]
    private let getHeaders: Result<LibCurl.HeaderList, LibCurl.Refusal>
    private let postHeaders: Result<LibCurl.HeaderList, LibCurl.Refusal>

    /// Creates the client; libcurl is initialised here, before any worker thread calls.
    public init(settings: UpstreamSettings) {
        LibCurl.initialise()
        self.profile = Self.profile(settings)
        // A header the upstream's settings declare wins over the service's default of it.
        let declared = Set(settings.headers.map { $0.prefix { $0 != ":" }.lowercased() })
        func defaults(_ lines: [String]) -> [String] {
            lines.filter { !declared.contains($0.prefix { $0 != ":" }.lowercased()) }
        }
        let headers = defaults(["Accept: application/json", "User-Agent: \(settings.userAgent)"]) + settings.headers
        self.commonHeaders = headers
        self.getHeaders = Result { () throws(LibCurl.Refusal) in try LibCurl.HeaderList(headers) }
        // "Expect:" stops libcurl from waiting for a 100 Continue before a large body.
        let bodyHeaders = headers + defaults(["Content-Type: application/json"]) + ["Expect:"]
        self.postHeaders = Result { () throws(LibCurl.Refusal) in try LibCurl.HeaderList(bodyHeaders) }
    }

    private static func profile(_ settings: UpstreamSettings) -> LibCurl.Profile {
        LibCurl.Profile(
            timeoutMilliseconds: settings.timeoutMilliseconds,
            maxBodyBytes: settings.maxBodyBytes,
            tls: settings.tls,
            proxy: settings.proxy.proxy(for: settings.baseURL)?.url ?? ""
        )
    }

    /// What libcurl refuses of `settings` (an option it was not built with, a value out of its
    /// range), as the end of a sentence; nil when every worker's handle can be set up. Checked
    /// at startup, so a refusal stops the service instead of failing calls.
    public static func problem(with settings: UpstreamSettings) -> String? {
        LibCurl.initialise()
        do throws(LibCurl.Refusal) {
            try LibCurl.check(Self.profile(settings))
            return nil
        } catch {
            return error.description
        }
    }

    /// What the upstream said: its status and body (nil when over the limit), or why it said
    /// nothing usable.
    public enum Answer: Sendable, Equatable {
        case answered(status: Int, body: [UInt8]?)
        case failed(UpstreamFailure)
    }

    /// Sends one request to a URL on the base URL's host and waits for the whole answer,
    /// within the settings' deadline. A body is sent as JSON unless `headers` say otherwise;
    /// `headers` are added to the common ones.
    /// An option libcurl refuses for this call, or a handle it cannot make, fails the call
    /// on this side (``UpstreamFailure/local(reason:)``); the next call tries again.
    public func send(method: String = "GET", url: String, body: [UInt8]? = nil, headers: [String]) -> Answer {
        let outcome: LibCurl.Outcome
        do throws(LibCurl.Refusal) {
            let headerList =
                if !headers.isEmpty {
                    try LibCurl.HeaderList(self.commonHeaders + headers + (body == nil ? [] : ["Expect:"]))
                } else {
                    try (body == nil ? self.getHeaders : self.postHeaders).get()
                }
            outcome = try LibCurl.perform(self.profile, method: method, url: url, headers: headerList, body: body)
        } catch {
            return .failed(.local(reason: error.description))
        }
        if outcome.bodyTooLarge && outcome.status > 0 {
            return .answered(status: outcome.status, body: nil)
        }
        if let failure = outcome.failure {
            return .failed(failure)
        }
        return .answered(status: outcome.status, body: outcome.body)
    }

    /// The same with the common headers only: the exchange an action's upstream makes.
    public func send(method: String = "GET", url: String, body: [UInt8]? = nil) -> Answer {
        self.send(method: method, url: url, body: body, headers: [])
    }
}
