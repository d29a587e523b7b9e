import TestSupport
import Testing

@testable import FastCGI

/// The shape check a request passes before libfcgi reads it.
@Suite("FastCGI request stream check", .timeLimit(.minutes(3)))
struct RequestStreamCheckTests {
    static let check = RequestStreamCheck(maxBodyBytes: 64)
    static let body = Array(#"{"userId":"1"}"#.utf8)
    static let parameters = FastCGITestClient.parameters(method: "POST", path: "/data-action/user-lookup", headers: [:], bodyLength: 14)
    static let request = FastCGITestClient.requestRecords(parameters: parameters, body: body)

    static func verdict(_ bytes: [UInt8]) -> RequestStreamCheck.Verdict {
        bytes.withUnsafeBytes { Self.check.inspect($0) }
    }

    static func isRefused(_ bytes: [UInt8]) -> Bool {
        if case .refused = Self.verdict(bytes) { return true }
        return false
    }

    @Test("a request as nginx sends it is complete, and every part of it is incomplete")
    func wholeAndParts() {
        #expect(Self.verdict(Self.request) == .complete)
        #expect(Self.verdict(Self.request + [1, 2, 3]) == .complete)
        for length in 0..<Self.request.count {
            #expect(Self.verdict(Array(Self.request[..<length])) == .incomplete, "first \(length) bytes")
        }
    }

    @Test("a declared length over the limit needs no body; a body past the limit needs no end")
    func bodyLimit() {
        let over = FastCGITestClient.parameters(method: "POST", path: "/", headers: [:], bodyLength: 65)
        #expect(Self.verdict(FastCGITestClient.beginRecord() + FastCGITestClient.parameterRecords(over)) == .complete)
        let undeclared = FastCGITestClient.beginRecord() + FastCGITestClient.parameterRecords(["REQUEST_METHOD": "POST"])
        #expect(Self.verdict(undeclared + FastCGITestClient.record(type: 5, content: Array(repeating: 0x41, count: 65))) == .complete)
        #expect(Self.verdict(undeclared + FastCGITestClient.record(type: 5, content: Array(repeating: 0x41, count: 64))) == .incomplete)
    }

    /// The fuzzer's finds: a length near 2³¹ aborts libfcgi, an unknown management record leaks.
    @Test("what libfcgi would crash or leak on is refused")
    func libfcgiDefects() {
        let begin = FastCGITestClient.beginRecord()
        let overflowingPair: [UInt8] = [0x8D, 0xDD, 0xDD, 0xDD, 0x8D, 0xDD, 0xDD, 0xDD] + Array(repeating: 0x41, count: 40)
        #expect(Self.isRefused(begin + FastCGITestClient.streamRecords(type: 4, content: overflowingPair)))
        #expect(Self.isRefused(FastCGITestClient.record(type: 42, requestId: 0, content: [1]) + Self.request))
        let getValues = FastCGITestClient.record(type: 9, requestId: 0, content: overflowingPair)
        let head = begin + FastCGITestClient.parameterRecords(Self.parameters)
        #expect(Self.isRefused(head + getValues + FastCGITestClient.streamRecords(type: 5, content: Self.body)))
    }

    /// Streams no web server sends, by name.
    static let strangers: [(String, [UInt8])] = {
        let begin = FastCGITestClient.beginRecord()
        var cases: [(String, [UInt8])] = []
        cases.append(("a management record first", FastCGITestClient.record(type: 9, requestId: 0, content: [])))
        cases.append(("parameters before BEGIN_REQUEST", FastCGITestClient.parameterRecords(["A": "B"])))
        cases.append(("the filter role", FastCGITestClient.record(type: 1, content: [0, 3, 0, 0, 0, 0, 0, 0])))
        cases.append(("request id 0", FastCGITestClient.record(type: 1, requestId: 0, content: [0, 1, 0, 0, 0, 0, 0, 0])))
        cases.append(("version 2", [2] + Array(begin.dropFirst())))
        cases.append(("an abort among the parameters", begin + FastCGITestClient.record(type: 2, content: [])))
        cases.append(("another request id", begin + FastCGITestClient.record(type: 4, requestId: 2, content: [])))
        cases.append(("a pair longer than its stream", begin + FastCGITestClient.streamRecords(type: 4, content: [5, 5, 65])))
        let huge = FastCGITestClient.parameterRecords(["HTTP_X": String(repeating: "x", count: 65_536)])
        cases.append(("parameters over 64 KiB", begin + huge))
        return cases
    }()

    @Test("anything else a web server does not send is refused", arguments: Self.strangers)
    func refused(name: String, bytes: [UInt8]) {
        #expect(Self.isRefused(bytes), "\(name)")
    }
}
