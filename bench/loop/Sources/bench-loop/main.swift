// The service's own work per call, in one thread, in a loop: the contract, the inputs, the
// upstream's answer read and mapped, the answer written, the request line and the metrics, with
// the upstream exchange replaced by one that hands back a file's bytes at once. What a call costs
// the service beyond libfcgi, libcurl and the kernel, warm; `make bench` measures the whole.
//
//   bench-loop [ANSWER-FILE] [CALLS]
//
// Prints the best of five passes, in nanoseconds per call, for the service and for the FastCGI
// request's own lookups (method, path, the three headers the contract reads).
import Actions
import DataAction
import FastCGI
import Logging
import Prometheus
import UpstreamHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Answers every exchange with the same status and bytes.
struct FixedAnswer: UpstreamExchange {
    let body: [UInt8]

    func exchange(method: String, url: String, body: [UInt8]?, headers: [String]) -> (answer: UpstreamClient.Answer, token: TokenUse?) {
        (.answered(status: 200, body: self.body), nil)
    }
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let read = fread(&chunk, 1, chunk.count, file)
        if read <= 0 { break }
        bytes.append(contentsOf: chunk[..<read])
    }
    return bytes
}

let arguments = CommandLine.arguments
let answerFile = arguments.count > 1 ? arguments[1] : "deploy/demo/users/1"
let calls = arguments.count > 2 ? Int(arguments[2]) ?? 200_000 : 200_000
let secret = "0123456789abcdef0123456789abcdef0123456789abcdef"
let organizationId = "5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab"

let actions = ActionsFile.builtIn(
    upstream: UpstreamDefinition(name: ActionsFile.builtInUpstreamName, url: .literal("http://127.0.0.1:9/users"))
)
let metrics = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
var settings: [UpstreamSettings] = []
var upstreams: [String: Upstream] = [:]
for definition in actions.upstreams {
    let upstream = UpstreamSettings(
        name: definition.name,
        baseURL: "http://127.0.0.1:9/users",
        timeoutMilliseconds: 5000,
        headers: [],
        maxBodyBytes: definition.maxBodyBytes,
        userAgent: DataActionVersion.userAgent
    )
    settings.append(upstream)
    upstreams[definition.name] = Upstream(
        settings: upstream,
        exchange: FixedAnswer(body: readFile(answerFile)),
        breaker: nil,
        cache: nil,
        metrics: metrics
    )
}
let configuration = DataActionConfiguration(
    secrets: SharedSecrets(current: secret, previous: nil),
    organizationId: organizationId,
    maxBodyBytes: 65_536,
    actions: actions,
    upstreams: settings
)
/// The bytes of the request lines, so that writing them is not optimised away.
nonisolated(unsafe) var lineBytes = 0
let service = DataActionService(
    configuration: configuration,
    upstreams: upstreams,
    logger: Logger(label: "data-action"),
    metrics: metrics,
    requestLines: { lineBytes &+= $0.count }
)

// A request as nginx's fastcgi_params pass it.
let parameters = FastCGIParameters([
    "QUERY_STRING": "", "REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "14",
    "SCRIPT_NAME": "/data-action/user-lookup", "REQUEST_URI": "/data-action/user-lookup",
    "DOCUMENT_URI": "/data-action/user-lookup", "DOCUMENT_ROOT": "/usr/share/nginx/html", "SERVER_PROTOCOL": "HTTP/1.1",
    "REQUEST_SCHEME": "http", "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "nginx/1.22.1", "REMOTE_ADDR": "127.0.0.1",
    "REMOTE_PORT": "51234", "REMOTE_USER": "", "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_NAME": "",
    "REDIRECT_STATUS": "200", "HTTP_HOST": "127.0.0.1:8080", "HTTP_CONTENT_TYPE": "application/json",
    "HTTP_AUTHORIZATION": "Bearer \(secret)", "HTTP_ININ_ORGANIZATION_ID": organizationId,
    "HTTP_ININ_CORRELATION_ID": "0f6a3a8e-2c1b-4d5e-9f70-123456789abc", "HTTP_CONTENT_LENGTH": "14",
])
let body = Array(#"{"userId":"1"}"#.utf8)

/// The best of five passes of `calls` calls, in nanoseconds per call.
func measure(_ name: String, _ call: () -> Int) {
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<5 {
        let started = ContinuousClock.now
        for _ in 0..<calls { checksum &+= call() }
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        best = min(best, (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(calls))
    }
    print("\(name): \(Int(best.rounded())) ns per call (checksum \(checksum & 0xFFFF))")
}

let probe = service.respond(
    to: DataActionRequest(method: "POST", path: "/data-action/user-lookup", body: .complete(body)) { parameters.header($0) }
)
guard probe.status == 200 else { fatalError("the service answered \(probe.status): \(String(decoding: probe.serializedBody, as: UTF8.self))") }
print("answer \(answerFile): \(String(decoding: probe.serializedBody, as: UTF8.self))")

measure("service, one call") {
    let request = DataActionRequest(method: "POST", path: "/data-action/user-lookup", body: .complete(body)) {
        parameters.header($0)
    } headerBytes: {
        parameters.withHeader($0, $1)
    }
    return service.respond(to: request).serializedBody.count
}
measure("FastCGI request: method, path, three headers") {
    let request = FastCGIRequest(parameters: parameters, body: .complete(body))
    var total = request.method.utf8.count + request.path.utf8.count
    for name in ["authorization", "inin-organization-id", "inin-correlation-id"] {
        parameters.withHeader(name) { total &+= $0?.count ?? 0 }
    }
    return total
}
