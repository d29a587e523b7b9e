import DataAction
import FastCGI

/// Adapts the data action service to the FastCGI server: FastCGI parameters in, JSON out.
struct DataActionResponder: FastCGIResponder {
    let service: DataActionService

    func respond(to request: FastCGIRequest) async -> FastCGIResponse {
        let body: DataActionRequest.Body =
            switch request.body {
            case .complete(let bytes): .complete(bytes)
            case .tooLarge: .tooLarge
            }
        let response = await self.service.respond(
            to: DataActionRequest(method: request.method, path: request.path, headers: request.headers, body: body)
        )
        return FastCGIResponse(
            status: response.status,
            headers: response.headers.map { FastCGIResponse.Header(name: $0.name, value: $0.value) },
            body: request.method == "HEAD" ? [] : response.body.serialized
        )
    }
}
