import DataAction
import FastCGI

/// Adapts the data action service to the FastCGI server: FastCGI parameters in, JSON out; the
/// monitoring endpoints first.
struct DataActionResponder: FastCGIResponder {
    let service: DataActionService
    let monitoring: MonitoringEndpoints?

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        // Optional chaining asks it in place; `if let` would copy it first.
        if let answer = self.monitoring?.respond(to: request) {
            return answer
        }
        let body: DataActionRequest.Body =
            switch request.body {
            case .complete(let bytes): .complete(bytes)
            case .tooLarge: .tooLarge
            }
        let parameters = request.parameters
        let answer = self.service.respond(
            to: DataActionRequest(method: request.method, path: request.path, body: body) {
                parameters.header($0)
            } headerBytes: {
                parameters.withHeader($0, $1)
            }
        )
        return Self.response(answer)
    }

    /// The FastCGI form of a service answer (the server leaves the body out for HEAD).
    static func response(_ response: DataActionResponse) -> FastCGIResponse {
        FastCGIResponse(
            status: response.status,
            headers: response.extraHeaders.isEmpty
                ? Self.standardHeaders : Self.standardHeaders + response.extraHeaders.map(FastCGIResponse.Header.init),
            body: response.serializedBody
        )
    }

    /// The headers every answer has, made once.
    private static let standardHeaders = DataActionResponse.standardHeaders.map(FastCGIResponse.Header.init)
}
