/// A request to the data action service, whatever transport brought it (FastCGI, CGI, the
/// command line).
public struct DataActionRequest: Sendable {
    /// The HTTP method, upper-cased.
    public var method: String
    /// The path without query string, e.g. `/data-action/user-lookup`.
    public var path: String
    /// The body, or a note that it was longer than the transport's limit.
    public var body: Body
    /// Finds a header's value by its lower-cased name.
    private let lookUpHeader: @Sendable (String) -> String?
    /// Hands a header's value, by its lower-cased name, to a closure as bytes (nil when absent),
    /// for a transport that can do so without making a String.
    private let lookUpHeaderBytes: HeaderBytesLookup?

    /// Gives the value of the header named by the first argument (lower-cased) to the second as
    /// bytes, nil when the request has none.
    public typealias HeaderBytesLookup = @Sendable (String, (UnsafeBufferPointer<UInt8>?) -> Void) -> Void

    /// A request body as the transport delivered it.
    public enum Body: Sendable, Equatable {
        /// The whole body.
        case complete([UInt8])
        /// Longer than the transport's limit; not kept.
        case tooLarge
    }

    /// Creates a request from a header dictionary (any case).
    public init(method: String, path: String, headers: [String: String], body: Body) {
        var lowercased: [String: String] = [:]
        for (name, value) in headers {
            lowercased[name.lowercased()] = value
        }
        let byName = lowercased
        self.init(method: method, path: path, body: body) { byName[$0] }
    }

    /// Creates a request whose headers are looked up on demand by lower-cased name.
    ///
    /// The service reads three headers; a transport that holds them in another form (FastCGI's
    /// `HTTP_*` parameters) answers those three instead of converting every header first
    /// (bench/RESULTS.md, "Measurements behind the code").
    public init(
        method: String,
        path: String,
        body: Body,
        header: @escaping @Sendable (String) -> String?,
        headerBytes: HeaderBytesLookup? = nil
    ) {
        // Transports give it upper-cased already: no copy then.
        self.method = method.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ? method.uppercased() : method
        self.path = path
        self.body = body
        self.lookUpHeader = header
        self.lookUpHeaderBytes = headerBytes
    }

    /// A header's value by name, in any case.
    public func header(_ name: String) -> String? {
        self.lookUpHeader(Self.lowercased(name))
    }

    /// Calls `body` with a header's value as bytes (nil when absent), by name in any case,
    /// without making a String when the transport can hand over its own bytes.
    public func withHeader<Result>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
        let name = Self.lowercased(name)
        guard let lookUpHeaderBytes else {
            guard var value = self.lookUpHeader(name) else { return body(nil) }
            return value.withUTF8 { body($0) }
        }
        var result: Result?
        lookUpHeaderBytes(name) { result = body($0) }
        // A lookup that never called back found nothing.
        return result ?? body(nil)
    }

    private static func lowercased(_ name: String) -> String {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
    }
}
