import DataAction
import FastCGI

/// Adapts the data action service to the FastCGI server: FastCGI parameters in, JSON out.
struct DataActionResponder: FastCGIResponder {
    let service: DataActionService

    func respond(to request: FastCGIRequest) async -> FastCGIResponse {
        Self.response(await self.service.respond(to: Self.dataActionRequest(request)), method: request.method)
    }

    /// Everything is answered on the worker thread; a lookup waits there for the directory.
    func answer(to request: FastCGIRequest) -> FastCGIAnswer {
        switch self.service.start(Self.dataActionRequest(request)) {
        case .answered(let response):
            return .now(Self.response(response, method: request.method))
        case .waitingForDirectory(let pending):
            let method = request.method
            return .blocking { Self.response(pending.finishOnThisThread(), method: method) }
        }
    }

    private static func dataActionRequest(_ request: FastCGIRequest) -> DataActionRequest {
        let body: DataActionRequest.Body =
            switch request.body {
            case .complete(let bytes): .complete(bytes)
            case .tooLarge: .tooLarge
            }
        return DataActionRequest(method: request.method, path: request.path, body: body) { request.header($0) }
    }

    /// The FastCGI form of a service answer (no body for HEAD).
    static func response(_ response: DataActionResponse, method: String) -> FastCGIResponse {
        FastCGIResponse(
            status: response.status,
            headers: response.headers.map { FastCGIResponse.Header(name: $0.name, value: $0.value) },
            body: method == "HEAD" ? [] : response.body.serialized
        )
    }
}
