// libFuzzer target: an actions file and a whole request, as anyone on the internet might send
// it through nginx, from the file's check through the service (routing, the contract's checks,
// the JSON parser, the action's inputs, URL and body templates, the upstream's answer, the
// outputs) to the answer and its log line.
//
// Input format (the seed corpus in fuzz/corpus/request-path shows it):
//
//     actions file (YAML)         (optional: up to a line "%%"; without it, the built-in action)
//     %%\n
//     METHOD PATH\n
//     Header-Name: value\n        (any number of lines)
//     \n
//     body bytes                  (everything after the first empty line)
//
// The upstreams are in-process (a fuzzer makes no network calls): an answer is a pure function
// of the request's URL and body, so every input always gives the same answer.
//
// Properties checked on every input, besides never crashing, hanging or touching memory it
// must not (AddressSanitizer):
// - an actions file either passes the check or is refused with one line per problem;
// - for a file that passes: the status is the contract's for the request: routing, 405 with
//   Allow, 401 with WWW-Authenticate unless the request presented a secret, 403 unless the
//   organization matches, 413 over the size limit, 400 naming the body or an input, then 200,
//   502 or 504 by the upstream's answer; never 500;
// - the body is a JSON object; a 200 carries only declared outputs, each of its declared type,
//   never null, and the found output;
// - the upstream URL starts with the upstream's base URL and carries no space, `#`, control or
//   non-ASCII character: an input cannot change where the call goes;
// - the log line carries neither secret nor the request body;
// - whatever parses as JSON serialises back to JSON that parses to the same value.

import Actions
import JSON
import LibFuzzerDriver
import Logging
import Synchronization
import UpstreamHTTP

@testable import DataAction

#if canImport(Glibc)
import Glibc
#endif

/// The fixed world every input runs in.
enum World {
    static let secret = "fuzz-current-secret-0123456789abcdef"
    static let previousSecret = "fuzz-previous-secret-fedcba9876543210"
    static let organizationId = "5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab"
    static let maxBodyBytes = 4096
    static let logLines = Mutex<[String]>([])
    /// The URLs the upstreams were asked for, per input.
    static let calls = Mutex<[String]>([])
    /// Where an upstream whose URL is a setting (`{ env: NAME }`) is.
    static let settingURL = "http://upstream.invalid:9/api"

    /// The built-in user lookup, served when an input has no actions file.
    static func builtIn() -> ActionsFile {
        ActionsFile.builtIn(upstream: UpstreamDefinition(name: ActionsFile.builtInUpstreamName, url: .setting("EXTERNAL_API_URL")))
    }

    /// The service for `file`, its upstreams' settings read as fixed values. Made anew for each
    /// input: nothing of one input's file outlives it (LeakSanitizer cannot follow the Swift
    /// runtime's pointers into a compiled Regex kept until exit, and reports it as leaked).
    static func service(for file: ActionsFile) -> DataActionService {
        let upstreams = file.upstreams.map { definition in
            let url: String =
                switch definition.url {
                case .literal(let url): url
                case .setting: Self.settingURL
                }
            return UpstreamSettings(
                name: definition.name,
                baseURL: url,
                timeoutMilliseconds: definition.timeoutMilliseconds,
                headers: definition.headers.map { "\($0.name): fuzz" },
                maxBodyBytes: definition.maxBodyBytes
            )
        }
        let configuration = DataActionConfiguration(
            secrets: SharedSecrets(current: secret, previous: previousSecret),
            organizationId: organizationId,
            maxBodyBytes: maxBodyBytes,
            actions: file,
            upstreams: upstreams
        )
        let logger = Logger(label: "fuzz") { _ in CollectingLogHandler() }
        return DataActionService(configuration: configuration, logger: logger) { _ in PureExchange() }
    }
}

/// Answers as a pure function of the URL and body: records of several shapes, lists, not
/// found, not JSON, and each kind of failure.
struct PureExchange: UpstreamExchange {
    static let bodies = [
        #"{"id":1,"name":"Ann","email":"a@example.com","phone":"1","account":{"id":4711},"flags":{"vip":true},"balance":12.5}"#,
        #"{"items":[{"id":"x","name":null,"account":{"id":"A"}}],"total":1}"#,
        #"[{"id":2,"name":"Bo","company":{"name":7}}]"#,
        "[]",
        "null",
        #""text""#,
        "not json",
        #"{"id":9001,"status":"queued"}"#,
    ]

    func exchange(method: String, url: String, body: [UInt8]?, headers: [String]) -> (answer: UpstreamClient.Answer, token: TokenUse?) {
        (self.answer(url: url, body: body), nil)
    }

    func answer(url: String, body: [UInt8]?) -> UpstreamClient.Answer {
        World.calls.withLock { $0.append(url) }
        var hash = 0
        for byte in url.utf8 { hash = (hash &* 31 &+ Int(byte)) & 0xFFFF }
        for byte in body ?? [] { hash = (hash &* 31 &+ Int(byte)) & 0xFFFF }
        switch hash % 12 {
        case 0...7: return .answered(status: hash % 24 == 1 ? 201 : 200, body: Array(Self.bodies[hash % 8].utf8))
        case 8: return .answered(status: [404, 410, 500, 302][hash / 12 % 4], body: Array("{}".utf8))
        case 9: return .answered(status: 200, body: nil)
        case 10: return .failed(.timedOut)
        default: return .failed(.unreachable(reason: "connection refused"))
        }
    }
}

/// Keeps each log line (message and metadata) for the secrets check.
struct CollectingLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let line = "\(event.message) " + merged.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        World.logLines.withLock { $0.append(line) }
    }
}

/// The input split into an actions file and a request.
struct FuzzedRequest {
    /// The actions file's text, when the input has one.
    var actionsFile: String?
    var method = ""
    var path = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var lines = bytes[...]
        let separator = Array("\n%%\n".utf8)
        if let range = lines.firstRange(of: separator) {
            self.actionsFile = String(decoding: lines[..<range.lowerBound], as: UTF8.self)
            lines = lines[range.upperBound...]
        }
        func nextLine() -> String? {
            guard !lines.isEmpty else { return nil }
            let end = lines.firstIndex(of: UInt8(ascii: "\n")) ?? lines.endIndex
            let line = String(decoding: lines[lines.startIndex..<end], as: UTF8.self)
            lines = end == lines.endIndex ? lines[end...] : lines[(end + 1)...]
            return line
        }
        let requestLine = nextLine() ?? ""
        let parts = requestLine.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        self.method = parts.first.map(String.init) ?? ""
        self.path = parts.count > 1 ? String(parts[1]) : ""
        while let line = nextLine(), !line.isEmpty {
            let nameAndValue = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let value = nameAndValue.count > 1 ? String(nameAndValue[1].drop { $0 == " " }) : ""
            self.headers.append((String(nameAndValue[0]), value))
        }
        self.body = Array(lines)
    }

    /// The last value of a header (any case), as a web server that folds duplicates would pass it.
    func header(_ name: String) -> String? {
        self.headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Runs libFuzzer with this target's input test (see LibFuzzerDriver.h for why not its main).
@main
enum FuzzerEntry {
    static func main() {
        var argumentCount = CommandLine.argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, size in fuzzRequestPath(data, size) })
    }
}

/// Tests one input (also under libFuzzer's name, which its archive's main refers to).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let start = UnsafeRawPointer(data)
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let fuzzed = FuzzedRequest(bytes)
    checkJSONRoundTrip(fuzzed.body)

    let file: ActionsFile
    if let text = fuzzed.actionsFile {
        let (parsed, problems) = ActionsFile.parse(yaml: text, source: "fuzz.yaml", defaults: .init())
        guard let parsed else {
            precondition(
                !problems.isEmpty && problems.allSatisfy { $0.hasPrefix("fuzz.yaml") && !$0.contains("\n") },
                "a refused file without its lines"
            )
            return 0
        }
        precondition(problems.isEmpty, "a file that passed with problems")
        file = parsed
    } else {
        file = World.builtIn()
    }
    let service = World.service(for: file)

    var headers: [String: String] = [:]
    for header in fuzzed.headers { headers[header.name.lowercased()] = header.value }
    let request = DataActionRequest(method: fuzzed.method, path: fuzzed.path, headers: headers, body: .complete(fuzzed.body))
    World.logLines.withLock { $0.removeAll() }
    World.calls.withLock { $0.removeAll() }
    let response = service.respond(to: request)
    checkStatus(of: response, for: fuzzed, in: file)
    checkLog(for: fuzzed)
    return 0
}

/// Whatever parses serialises back to JSON that parses to the same value.
func checkJSONRoundTrip(_ bytes: [UInt8]) {
    guard let value = try? JSONValue.parse(bytes) else { return }
    let again = try? JSONValue.parse(value.serialized)
    precondition(again == value, "serialising then parsing changed the value")
}

/// The contract's status, in the table's order, and the body that goes with it.
func checkStatus(of response: DataActionResponse, for request: FuzzedRequest, in file: ActionsFile) {
    precondition(response.body.objectValue != nil, "the answer's body is not a JSON object")
    let status = response.status
    precondition(status != 500, "answered 500")
    let method = request.method.uppercased()
    func header(_ name: String) -> String? { response.headers.last { $0.name == name }?.value }

    let action = file.actions.first { $0.path == request.path }
    guard let action else {
        if request.path == DataActionService.healthPath {
            precondition(status == (method == "GET" || method == "HEAD" ? 200 : 405), "health answered \(status)")
        } else {
            precondition(status == 404, "an unknown path answered \(status)")
        }
        return
    }
    guard method == "POST" else {
        precondition(status == 405 && header("Allow") == "POST", "a \(method) answered \(status) without Allow: POST")
        return
    }
    let authorization = request.header("Authorization")
    let presentsSecret = [World.secret, World.previousSecret].contains { authorization?.contains($0) ?? false }
    if authorization == "Bearer \(World.secret)" || authorization == "bearer \(World.previousSecret)" {
        precondition(status != 401, "a correct bearer token answered 401")
    }
    if status == 401 {
        precondition(header("WWW-Authenticate") == "Bearer", "401 without WWW-Authenticate: Bearer")
        return
    }
    precondition(presentsSecret, "answered \(status) to a request that presented no secret")
    let organizationMatches = request.header("ININ-Organization-Id")?.lowercased() == World.organizationId
    precondition((status == 403) == !organizationMatches, "organization \(organizationMatches ? "matched" : "differed"), answered \(status)")
    guard organizationMatches else { return }
    precondition((status == 413) == (request.body.count > World.maxBodyBytes), "a \(request.body.count)-byte body answered \(status)")
    guard status != 413 else { return }

    let calls = World.calls.withLock { $0 }
    switch status {
    case 400:
        var message = ""
        if case .array(let errors)? = response.body.objectValue?["errors"] {
            message = errors.first?.objectValue?["message"]?.stringValue ?? ""
        }
        precondition(
            message.hasPrefix("Request body") || message.hasPrefix("'inputs'") || message.hasPrefix("Input '"),
            "a 400 that names neither the body nor an input: \(message)"
        )
        precondition(calls.isEmpty, "a refused input reached the upstream")
        return
    case 200, 502, 504:
        break
    default:
        preconditionFailure("an action answered \(status)")
    }
    if let url = calls.first {
        let upstream = file.upstream(named: action.request.upstream)!
        let base: String =
            switch upstream.url {
            case .literal(let url): UpstreamSettings(name: upstream.name, baseURL: url, timeoutMilliseconds: 1, maxBodyBytes: 1).baseURL
            case .setting: World.settingURL
            }
        checkUpstreamURL(url, base: base)
    }
    guard status == 200 else { return }
    let outputs = response.body.objectValue?["outputs"]?.objectValue ?? [:]
    for output in action.outputs {
        guard let value = outputs[output.name] else {
            precondition(output.source != .found, "no found output")
            continue
        }
        let typed =
            switch (output.type, value) {
            case (.string, .string), (.integer, .integer), (.number, .number), (.number, .integer), (.boolean, .bool): true
            default: false
            }
        precondition(typed, "output \(output.name) is not a \(output.type)")
    }
    precondition(outputs.keys.allSatisfy { name in action.outputs.contains { $0.name == name } }, "an undeclared output")
}

/// The URL goes to the upstream's base URL, and nothing in it can end or split it.
func checkUpstreamURL(_ url: String, base: String) {
    precondition(url.hasPrefix(base), "the upstream URL left its base")
    precondition(
        url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") },
        "an upstream URL with a space, '#', control or non-ASCII character"
    )
}

/// One log line per request, without either secret or the body.
func checkLog(for request: FuzzedRequest) {
    let lines = World.logLines.withLock { $0 }
    precondition(lines.count == 1, "\(lines.count) log lines for one request")
    let line = lines[0]
    precondition(!line.contains(World.secret) && !line.contains(World.previousSecret), "a secret in the log")
    // A body short enough to be any word, or one the caller also sent as a header (the
    // correlation id is logged, as sent), proves nothing.
    let body = String(decoding: request.body, as: UTF8.self)
    if body.utf8.count >= 12, !request.headers.contains(where: { $0.value.contains(body) }) {
        precondition(!line.contains(body), "the request body in the log")
    }
}
