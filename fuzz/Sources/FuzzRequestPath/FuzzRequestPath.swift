// libFuzzer target: a whole request, as anyone on the internet might send it through nginx,
// from its method, path, headers and body bytes through the service (routing, the contract's
// checks, the JSON parser, the input, the directory's answer) to the answer and its log line.
//
// Input format (the seed corpus in fuzz/corpus/request-path shows it):
//
//     METHOD PATH\n
//     Header-Name: value\n        (any number of lines)
//     \n
//     body bytes                  (everything after the first empty line)
//
// The user directory is in-process (a fuzzer makes no network calls): its answer is a pure
// function of the user id, so every input always gives the same answer.
//
// Properties checked on every input, besides never crashing, hanging or touching memory it
// must not (AddressSanitizer):
// - the status is the contract's for the request: routing, 405 with Allow, 401 with
//   WWW-Authenticate unless the request presented a secret, 403 unless the organization
//   matches, 413 over the size limit, 400 with the input's own message, then the directory's
//   answer (200 found / not found, 502, 504); never 500;
// - the body is a JSON object, and a 200 carries the directory's outputs;
// - the log line carries neither secret nor the request body;
// - the user id's path segment never carries a character that could change the upstream URL;
// - whatever parses as JSON serialises back to JSON that parses to the same value.

import LibFuzzerDriver
import Logging
import Synchronization

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

    static let service: DataActionService = {
        let configuration = DataActionConfiguration(
            secrets: SharedSecrets(current: secret, previous: previousSecret),
            upstream: UpstreamSettings(baseURL: "http://127.0.0.1:9/users"),
            organizationId: organizationId,
            maxBodyBytes: maxBodyBytes
        )
        let logger = Logger(label: "fuzz") { _ in CollectingLogHandler() }
        return DataActionService(configuration: configuration, directory: PureDirectory(), logger: logger)
    }()
}

/// Answers as a pure function of the user id's path segment: mostly found, sometimes not
/// found, sometimes each kind of failure.
struct PureDirectory: UserDirectory {
    static func result(for id: UserIdentifier) -> UserLookupResult {
        let segment = id.pathSegment
        switch segment.utf8.reduce(0, { ($0 &* 31 &+ Int($1)) & 0xFFFF }) % 8 {
        case 0...3: return .found(UserRecord(name: "User \(id.value)", email: nil, phone: segment), upstreamStatus: 200)
        case 4: return .notFound
        case 5: return .failed(.timedOut)
        case 6: return .failed(.unreachable(reason: "connection refused"))
        default: return .failed(.unexpectedStatus(500))
        }
    }

    func lookUpUser(_ id: UserIdentifier) -> UserLookupResult {
        Self.result(for: id)
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

/// The input split into a request.
struct FuzzedRequest {
    var method = ""
    var path = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var lines = bytes[...]
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

    var headers: [String: String] = [:]
    for header in fuzzed.headers { headers[header.name.lowercased()] = header.value }
    let request = DataActionRequest(method: fuzzed.method, path: fuzzed.path, headers: headers, body: .complete(fuzzed.body))
    World.logLines.withLock { $0.removeAll() }
    let response = World.service.respond(to: request)
    checkStatus(of: response, for: fuzzed)
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
func checkStatus(of response: DataActionResponse, for request: FuzzedRequest) {
    precondition(response.body.objectValue != nil, "the answer's body is not a JSON object")
    let status = response.status
    let method = request.method.uppercased()
    func header(_ name: String) -> String? { response.headers.last { $0.name == name }?.value }

    switch request.path {
    case DataActionService.healthPath:
        precondition(status == (method == "GET" || method == "HEAD" ? 200 : 405), "health answered \(status)")
        return
    case DataActionService.userLookupPath:
        break
    default:
        precondition(status == 404, "an unknown path answered \(status)")
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

    let input: UserLookupInput
    do throws(ContractViolation) {
        input = try UserLookupInput(body: request.body)
    } catch {
        precondition(error.status == 400 && !error.message.isEmpty, "the input was refused with \(error.status)")
        precondition(response == error.response, "a refused input answered \(status), not its own 400")
        return
    }
    checkPathSegment(input.userId.pathSegment)
    let outputs = response.body.objectValue?["outputs"]?.objectValue
    switch PureDirectory.result(for: input.userId) {
    case .found(let user, _):
        precondition(status == 200 && outputs?["userFound"] == .bool(true), "a found user answered \(status)")
        precondition(outputs?["userName"]?.stringValue == user.name, "the name did not reach the outputs")
    case .notFound:
        precondition(status == 200 && outputs?["userFound"] == .bool(false), "a missing user answered \(status)")
    case .failed(.timedOut):
        precondition(status == 504, "a directory timeout answered \(status)")
    case .failed:
        precondition(status == 502, "a directory failure answered \(status)")
    }
}

/// The user id's path segment is unreserved characters and percent escapes only, and no dot segment.
func checkPathSegment(_ segment: String) {
    precondition(!segment.isEmpty && segment != "." && segment != "..", "empty or dot segment")
    precondition(
        segment.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-._~%".utf8.contains(byte)
        },
        "a path segment with a reserved character"
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
