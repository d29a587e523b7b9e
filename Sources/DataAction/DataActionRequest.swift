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
    public init(method: String, path: String, body: Body, header: @escaping @Sendable (String) -> String?) {
        self.method = method.uppercased()
        self.path = path
        self.body = body
        self.lookUpHeader = header
    }

    /// A header's value by name, in any case.
    public func header(_ name: String) -> String? {
        let isLowercased = !name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        return self.lookUpHeader(isLowercased ? name : name.lowercased())
    }
}
