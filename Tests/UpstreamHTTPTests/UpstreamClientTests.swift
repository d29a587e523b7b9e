import TestSupport
import Testing
import UpstreamHTTP

/// The HTTP client on its own, against a real upstream on loopback: no action involved.
@Suite("Upstream HTTP client", .timeLimit(.minutes(2)))
struct UpstreamClientTests {
    static func settings(baseURL: String, maxBodyBytes: Int = 1 << 20) -> UpstreamSettings {
        UpstreamSettings(name: "users", baseURL: baseURL, timeoutMilliseconds: 5000, maxBodyBytes: maxBodyBytes)
    }

    @Test("a GET is answered with the upstream's status and body")
    func answers() async throws {
        let stub = try await UpstreamStub()
        let client = UpstreamClient(settings: Self.settings(baseURL: stub.baseURL))
        let answer = try await onThread { client.send(url: stub.baseURL + "/1") }
        #expect(answer == .answered(status: 200, body: Array(UpstreamStub.leanne.utf8)))
        #expect(stub.requests.first?.headers["user-agent"] == "data-action")
        try await stub.stop()
    }

    @Test("a setting libcurl refuses is a startup problem naming the option and libcurl's words")
    func refusedAtSetUp() {
        #expect(UpstreamClient.problem(with: Self.settings(baseURL: "http://127.0.0.1:9/users")) == nil)
        // libcurl takes no negative size limit.
        let problem = UpstreamClient.problem(with: Self.settings(baseURL: "http://127.0.0.1:9/users", maxBodyBytes: -1))
        #expect(problem == "libcurl refused CURLOPT_MAXFILESIZE_LARGE: A libcurl function was given a bad argument")
    }

    @Test("an option libcurl refuses for one call fails that call on this side, unsent; the next call is sent")
    func refusedPerCall() async throws {
        let stub = try await UpstreamStub()
        let client = UpstreamClient(settings: Self.settings(baseURL: stub.baseURL))
        // libcurl takes no URL longer than 8,000,000 bytes.
        let tooLong = stub.baseURL + "/" + String(repeating: "x", count: 8_000_001)
        let refused = try await onThread { client.send(url: tooLong) }
        #expect(refused == .failed(.local(reason: "libcurl refused CURLOPT_URL: A libcurl function was given a bad argument")))
        #expect(stub.requests.isEmpty)
        let next = try await onThread { client.send(url: stub.baseURL + "/1") }
        #expect(next == .answered(status: 200, body: Array(UpstreamStub.leanne.utf8)))
        try await stub.stop()
    }
}
