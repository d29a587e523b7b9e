import Testing

@testable import FastCGI

#if canImport(Glibc)
import Glibc
#endif

@Suite("FastCGI request and response values", .timeLimit(.minutes(3)))
struct FastCGIValuesTests {
    @Test(
        "the path comes from DOCUMENT_URI, else REQUEST_URI without query, else SCRIPT_NAME and PATH_INFO",
        arguments: [
            (["DOCUMENT_URI": "/a", "REQUEST_URI": "/b?x=1"], "/a"),
            (["REQUEST_URI": "/b?x=1"], "/b"),
            (["SCRIPT_NAME": "/cgi", "PATH_INFO": "/c"], "/cgi/c"),
        ]
    )
    func path(parameters: [String: String], expected: String) {
        #expect(FastCGIRequest(parameters: parameters, body: .complete([])).path == expected)
    }

    @Test("headers are found by HTTP name; Content-Type and Content-Length by their CGI names")
    func headers() {
        let request = FastCGIRequest(
            parameters: ["HTTP_AUTHORIZATION": "Bearer x", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "2", "SERVER_NAME": "s"],
            body: .complete([])
        )
        #expect(request.header("authorization") == "Bearer x")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.headers == ["authorization": "Bearer x", "content-type": "application/json", "content-length": "2"])
        #expect(request.method == "GET")
    }

    @Test("a header is found whatever its case and dashes, and never by a part of a parameter's name")
    func headerLookupByBytes() {
        let request = FastCGIRequest(
            parameters: [
                "HTTP_ININ_CORRELATION_ID": "c-1", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "0",
                "HTTP_X_A": "a", "HTTP_X_AB": "ab", "TYPE": "not a header", "SERVER_NAME": "s",
            ],
            body: .complete([])
        )
        #expect(request.header("ININ-Correlation-Id") == "c-1")
        #expect(request.header("inin-correlation-id") == "c-1")
        #expect(request.header("inin_correlation_id") == "c-1")
        #expect(request.header("CONTENT-type") == "text/plain")
        #expect(request.header("content-length") == "0")
        #expect(request.header("x-a") == "a")
        #expect(request.header("X-AB") == "ab")
        #expect(request.header("x-abc") == nil)
        #expect(request.header("type") == nil)
        #expect(request.header("server-name") == nil)
        #expect(request.header("") == nil)
        // The same lookup on the bytes, without a String.
        for name in ["ININ-Correlation-Id", "content-type", "CONTENT-LENGTH", "x-a", "X-AB", "x-abc", "type", "server-name", ""] {
            var bytes: [UInt8]?
            request.parameters.withHeader(name) { bytes = $0.map(Array.init) }
            #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == request.header(name), "\(name)")
        }
        #expect(request.parameters["SERVER_NAME"] == "s")
        #expect(request.parameters["SERVER_NAM"] == nil)
        #expect(request.parameters[""] == nil)
        #expect(request.parameters.all.count == 7)
    }

    @Test("a parameter sent twice means its last value, as nginx's fastcgi_param set again after an include")
    func repeatedParameter() {
        var parameters = FastCGIParameters()
        for (name, value) in [("SCRIPT_NAME", "/first"), ("HTTP_X_A", "1"), ("SCRIPT_NAME", "/second"), ("HTTP_X_A", "2")] {
            Array(name.utf8).withUnsafeBytes { name in Array(value.utf8).withUnsafeBytes { parameters.append(name: name, value: $0) } }
        }
        #expect(parameters["SCRIPT_NAME"] == "/second")
        #expect(parameters.header("X-A") == "2")
        #expect(parameters.all.map(\.value) == ["/first", "1", "/second", "2"])
    }

    @Test("libfcgi's NAME=value strings are split at the first '=', one without '=' left out, and the block's memory used again")
    func environmentStrings() {
        let entries = ["REQUEST_METHOD=POST", "QUERY_STRING=", "HTTP_X_EQUATION=a=b=c", "NO_EQUALS", "=empty name", "HTTP_X_LAST=z"]
        let strings = entries.map { strdup($0) } + [nil]
        defer {
            for string in strings { free(string) }
        }
        var parameters = FastCGIParameters()
        strings.withUnsafeBufferPointer { environment in
            parameters.replace(withEnvironment: environment.baseAddress!)
            parameters.replace(withEnvironment: environment.baseAddress!)
        }
        #expect(parameters.all.map(\.name) == ["REQUEST_METHOD", "QUERY_STRING", "HTTP_X_EQUATION", "", "HTTP_X_LAST"])
        #expect(parameters.all.map(\.value) == ["POST", "", "a=b=c", "empty name", "z"])
        #expect(parameters.header("X-Equation") == "a=b=c")
        #expect(parameters["QUERY_STRING"] == "")
        [nil as UnsafeMutablePointer<CChar>?].withUnsafeBufferPointer { parameters.replace(withEnvironment: $0.baseAddress!) }
        #expect(parameters.all.isEmpty)
    }

    @Test("a response is written in CGI form with its status line")
    func cgiBytes() {
        let response = FastCGIResponse(status: 404, headers: [.init(name: "Content-Type", value: "application/json")], body: Array("{}".utf8))
        #expect(
            String(decoding: response.cgiBytes, as: UTF8.self)
                == "Status: 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        )
    }

    @Test("Content-Length is the body's, also for HEAD (whose answer leaves the body out), or the responder's own, never twice")
    func contentLength() {
        let head = FastCGIResponse(status: 200, body: [UInt8](repeating: UInt8(ascii: "a"), count: 74)).cgiBytes(answering: "HEAD")
        #expect(String(decoding: head, as: UTF8.self) == "Status: 200 OK\r\nContent-Length: 74\r\n\r\n")
        let own = FastCGIResponse(status: 200, headers: [.init(name: "content-length", value: "3")], body: Array("abc".utf8))
        #expect(String(decoding: own.cgiBytes, as: UTF8.self) == "Status: 200 OK\r\ncontent-length: 3\r\n\r\nabc")
        let unusual = FastCGIResponse(status: 42, body: [])
        #expect(String(decoding: unusual.cgiBytes, as: UTF8.self).hasPrefix("Status: 42 "))
    }
}
