/// A request to the data action service, whatever transport brought it (FastCGI, CGI, the
/// command line).
public struct DataActionRequest: Sendable {
    /// The HTTP method, upper-cased.
    public var method: String
    /// The path without query string, e.g. `/data-action/user-lookup`.
    public var path: String
    /// Request headers by lower-cased name.
    public var headers: [String: String]
    /// The body, or a note that it was longer than the transport's limit.
    public var body: Body

    /// A request body as the transport delivered it.
    public enum Body: Sendable, Equatable {
        /// The whole body.
        case complete([UInt8])
        /// Longer than the transport's limit; not kept.
        case tooLarge
    }

    /// Creates a request; header names are lower-cased here.
    public init(method: String, path: String, headers: [String: String], body: Body) {
        self.method = method.uppercased()
        self.path = path
        if headers.keys.allSatisfy({ !$0.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) }) {
            self.headers = headers  // FastCGI hands them over lower-cased already
        } else {
            var lowercased: [String: String] = [:]
            for (name, value) in headers {
                lowercased[name.lowercased()] = value
            }
            self.headers = lowercased
        }
        self.body = body
    }

    /// A header's value by name, in any case.
    public func header(_ name: String) -> String? {
        self.headers[name.lowercased()]
    }
}
