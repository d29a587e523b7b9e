/// One request as the web server handed it over: every FastCGI parameter and the body.
///
/// The parameters are copied out of libfcgi, so a request outlives the libfcgi buffers it came
/// from and can be handed to another thread.
public struct FastCGIRequest: Sendable {
    /// Every FastCGI parameter the web server sent (`REQUEST_METHOD`, `HTTP_AUTHORIZATION`, …).
    public let parameters: FastCGIParameters
    /// The request body, read up to the server's byte limit.
    public var body: Body
    /// The HTTP method (`REQUEST_METHOD`), upper-cased; `GET` when the web server sent none.
    public let method: String
    /// The request path without its query string.
    ///
    /// nginx's `fastcgi_params` send `DOCUMENT_URI` (normalised, no query); other servers send
    /// `REQUEST_URI` or only `SCRIPT_NAME` and `PATH_INFO`, so those are the fallbacks in that order.
    public let path: String

    /// What the server could read of the request body.
    public enum Body: Sendable, Equatable {
        /// The whole body, no longer than the limit.
        case complete([UInt8])
        /// The body is longer than the limit; it was not kept in memory.
        case tooLarge
    }

    /// Creates a request from its parameters and body.
    public init(parameters: FastCGIParameters, body: Body) {
        self.parameters = parameters
        self.body = body
        // Found once: the responders read both more than once per request.
        let method = parameters["REQUEST_METHOD"] ?? "GET"
        // Web servers send it upper-cased: no copy then.
        self.method = method.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ? method.uppercased() : method
        self.path = Self.path(in: parameters)
    }

    /// Creates a request from parameters given as a dictionary.
    public init(parameters: [String: String], body: Body) {
        self.init(parameters: FastCGIParameters(parameters), body: body)
    }
}

extension FastCGIRequest {
    private static func path(in parameters: FastCGIParameters) -> String {
        if let documentURI = parameters["DOCUMENT_URI"], !documentURI.isEmpty {
            return documentURI
        }
        if let requestURI = parameters["REQUEST_URI"], !requestURI.isEmpty {
            return String(requestURI.prefix { $0 != "?" })
        }
        return (parameters["SCRIPT_NAME"] ?? "") + (parameters["PATH_INFO"] ?? "")
    }

    /// The value of an HTTP request header, looked up by its HTTP name (any case).
    public func header(_ name: String) -> String? {
        self.parameters.header(name)
    }

    /// Every HTTP request header the web server passed, by lower-cased HTTP name.
    public var headers: [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in self.parameters.all {
            if name.hasPrefix("HTTP_") {
                headers[Self.headerName(forParameter: String(name.dropFirst(5)))] = value
            } else if FastCGIParameters.contentHeaderParameters.contains(name) {
                headers[Self.headerName(forParameter: name)] = value
            }
        }
        return headers
    }

    /// `CONTENT_TYPE` → `content-type`, byte by byte (CGI names are ASCII).
    static func headerName(forParameter parameter: String) -> String {
        var bytes = Array(parameter.utf8)
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "_"): bytes[index] = UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes[index] += 32
            default: break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
