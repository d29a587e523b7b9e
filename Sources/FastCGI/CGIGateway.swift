import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Plain CGI: one request from the environment and standard input, the answer on standard
/// output, then the process ends. For web servers that run a program per request, and for
/// trying the service by hand.
public enum CGIGateway {
    /// True when the environment looks like a CGI invocation (`GATEWAY_INTERFACE` or
    /// `REQUEST_METHOD` set).
    public static var isCGIInvocation: Bool {
        getenv("GATEWAY_INTERFACE") != nil || getenv("REQUEST_METHOD") != nil
    }

    /// Serves the one request of this process with `responder`.
    public static func serveOneRequest(responder: some FastCGIResponder, maxBodyBytes: Int) {
        let parameters = FastCGIParameters(ProcessInfo.processInfo.environment)
        let body =
            RequestBodyReader(maxBytes: maxBodyBytes).read(
                declaredLength: parameters["CONTENT_LENGTH"],
                from: StandardInputSource()
            ) ?? .complete([])
        let request = FastCGIRequest(parameters: parameters, body: body)
        let response = responder.respond(to: request)
        let bytes = response.cgiBytes(answering: request.method)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Standard input as a body source.
    private struct StandardInputSource: RequestBodyReader.Source {
        func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            while true {
                let read = Glibc.read(0, buffer.baseAddress, buffer.count)
                if read < 0 && errno == EINTR { continue }
                return max(read, 0)
            }
        }

        var bodyStreamFailed: Bool { false }
    }
}
