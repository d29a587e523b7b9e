import Foundation
import TestSupport
import Testing
import UpstreamHTTP

/// The upstream over TLS and through a proxy, with the real binary and libcurl: nginx serves
/// the upstream with certificates the test makes, tinyproxy is the corporate proxy.
@Suite("Upstream TLS and proxy", .timeLimit(.minutes(3)))
struct UpstreamTLSTests {
    /// Runs `data-action invoke '{"userId":"1"}'` with `environment`; its exit status, output
    /// and log.
    static func invoke(_ environment: [String: String], in directory: TemporaryDirectory) async throws -> (Int32, String, String) {
        let process = try ServiceProcess(
            arguments: ["invoke", #"{"userId":"1"}"#],
            environment: ["SHARED_SECRET": ServeTests.secret, "LOG_LEVEL": "info"].merging(environment) { $1 },
            workingDirectory: directory.path
        )
        let status = try await process.waitForExit()
        return (status, process.standardOutput, process.standardError)
    }

    /// Runs `body` with fresh certificates and the HTTPS upstream.
    static func withUpstream(_ body: (TestCertificates, TLSUpstream, TemporaryDirectory) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try await TestCertificates(in: directory)
        let upstream = try await TLSUpstream(certificates: certificates, directory: directory)
        do {
            try await body(certificates, upstream, directory)
        } catch {
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }

    static let found =
        #"{"outputs":{"userEmail":"Sincere@april.biz","userFound":true,"userName":"Leanne Graham","userPhone":"1-770-736-8031 x56442"}}"#

    @Test("an upstream whose certificate a company CA signed is trusted through UPSTREAM_CA_FILE, and refused without it (502, the log says why)")
    func companyCA() async throws {
        try await Self.withUpstream { certificates, upstream, directory in
            let (status, output, _) = try await Self.invoke(
                ["EXTERNAL_API_URL": upstream.baseURL, "UPSTREAM_CA_FILE": certificates.caFile],
                in: directory
            )
            #expect(status == 0)
            #expect(output == "status: 200\n\(Self.found)\n")

            let (refusedStatus, refusedOutput, log) = try await Self.invoke(["EXTERNAL_API_URL": upstream.baseURL], in: directory)
            #expect(refusedStatus == 1)
            #expect(refusedOutput.hasPrefix("status: 502\n"))
            #expect(log.contains("outcome=upstream-unreachable"))
            #expect(log.contains("TLS: the upstream's certificate is not trusted (UPSTREAM_CA_FILE)"))
        }
    }

    @Test("an upstream that requires a client certificate is reached with UPSTREAM_CLIENT_CERT_FILE and _KEY_FILE, and refused without them")
    func mutualTLS() async throws {
        try await Self.withUpstream { certificates, upstream, directory in
            let trusted = ["EXTERNAL_API_URL": upstream.mutualBaseURL, "UPSTREAM_CA_FILE": certificates.caFile]
            let withPair = trusted.merging([
                "UPSTREAM_CLIENT_CERT_FILE": certificates.clientCertificateFile,
                "UPSTREAM_CLIENT_KEY_FILE": certificates.clientKeyFile,
            ]) { $1 }
            let (status, output, _) = try await Self.invoke(withPair, in: directory)
            #expect(status == 0)
            #expect(output == "status: 200\n\(Self.found)\n")

            // nginx answers 400 to a client without a certificate: the upstream said no, 502.
            let (_, refused, log) = try await Self.invoke(trusted, in: directory)
            #expect(refused.hasPrefix("status: 502\n"))
            #expect(log.contains("upstreamStatus=400"))
        }
    }

    @Test("a client key that does not match its certificate is a fault on the service's side: 500, and the log says which")
    func mismatchedKey() async throws {
        try await Self.withUpstream { certificates, upstream, directory in
            let (status, output, log) = try await Self.invoke(
                [
                    "EXTERNAL_API_URL": upstream.mutualBaseURL, "UPSTREAM_CA_FILE": certificates.caFile,
                    "UPSTREAM_CLIENT_CERT_FILE": certificates.clientCertificateFile, "UPSTREAM_CLIENT_KEY_FILE": certificates.strayKeyFile,
                ],
                in: directory
            )
            #expect(status == 1)
            #expect(output == "status: 500\n{\"errors\":[{\"message\":\"Internal error.\"}]}\n")
            #expect(log.contains("outcome=internal-error"))
            #expect(log.contains("TLS: a configured certificate or key cannot be used"))
        }
    }

    @Test(
        "TLS per upstream: one file holds an upstream behind a private CA with a client certificate and one that the environment's settings serve; each keeps its own"
    )
    func tlsPerUpstream() async throws {
        try await Self.withUpstream { certificates, upstream, directory in
            let file = directory.file("actions.yaml")
            try """
            upstreams:
              internal:
                url: \(upstream.mutualBaseURL)
                tls: { caFile: "\(certificates.caFile)", clientCertificate: "\(certificates.clientCertificateFile)", clientKey: "\(certificates.clientKeyFile)" }
              public:
                url: \(upstream.baseURL)
            actions:
              internal-user:
                inputs: { userId: { type: string, required: true, pattern: "^[0-9]+$" } }
                request: { upstream: internal, path: "/{userId}" }
                outputs: { userFound: found, userName: $.name }
              public-user:
                inputs: { userId: { type: string, required: true, pattern: "^[0-9]+$" } }
                request: { upstream: public, path: "/{userId}" }
                outputs: { userFound: found, userName: $.name }
            """.write(toFile: file, atomically: true, encoding: .utf8)
            func invoke(_ action: String) async throws -> (Int32, String, String) {
                let process = try ServiceProcess(
                    arguments: ["invoke", "--action", action, #"{"userId":"1"}"#],
                    environment: ["SHARED_SECRET": ServeTests.secret, "ACTIONS_FILE": file],
                    workingDirectory: directory.path
                )
                let status = try await process.waitForExit()
                return (status, process.standardOutput, process.standardError)
            }
            let (status, output, _) = try await invoke("internal-user")
            #expect(status == 0)
            #expect(output == "status: 200\n{\"outputs\":{\"userFound\":true,\"userName\":\"Leanne Graham\"}}\n")
            // The other upstream has no CA of its own and the system store does not trust it.
            let (_, refused, log) = try await invoke("public-user")
            #expect(refused.hasPrefix("status: 502\n"))
            #expect(log.contains("TLS: the upstream's certificate is not trusted"))

            try "not a certificate".write(toFile: directory.file("junk.pem"), atomically: true, encoding: .utf8)
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: certificates.caFile, with: directory.file("junk.pem"))
                .write(toFile: file, atomically: true, encoding: .utf8)
            let check = try ServiceProcess(
                arguments: ["check-config"],
                environment: ["SHARED_SECRET": ServeTests.secret, "ACTIONS_FILE": file],
                workingDirectory: directory.path
            )
            #expect(try await check.waitForExit() == 78)
            #expect(check.standardError.contains("upstreams.internal.tls.caFile: \(directory.file("junk.pem")) holds no PEM certificate"))
        }
    }

    @Test("the TLS settings are checked at startup: one line per problem, naming the setting")
    func badTLSSettings() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "not a certificate".write(toFile: directory.file("junk.pem"), atomically: true, encoding: .utf8)
        let process = try ServiceProcess(
            arguments: ["check-config"],
            environment: [
                "SHARED_SECRET": ServeTests.secret, "EXTERNAL_API_URL": "https://127.0.0.1:1/users",
                "UPSTREAM_CA_FILE": directory.file("junk.pem"), "UPSTREAM_CLIENT_CERT_FILE": directory.file("missing.pem"),
                "UPSTREAM_TLS_VERIFY": "maybe",
            ],
            workingDirectory: directory.path
        )
        #expect(try await process.waitForExit() == 78)
        let problems = process.standardError
        #expect(problems.contains("UPSTREAM_CA_FILE: \(directory.file("junk.pem")) holds no PEM certificate"))
        #expect(problems.contains("UPSTREAM_CLIENT_CERT_FILE: cannot read \(directory.file("missing.pem"))"))
        #expect(problems.contains("UPSTREAM_CLIENT_CERT_FILE and UPSTREAM_CLIENT_KEY_FILE go together"))
        #expect(problems.contains("UPSTREAM_TLS_VERIFY must be true or false, not 'maybe'"))
    }

    @Test("UPSTREAM_TLS_VERIFY=false reaches an untrusted upstream, and says so with a warning at every start")
    func verifyOff() async throws {
        try await Self.withUpstream { _, upstream, directory in
            let (status, _, log) = try await Self.invoke(["EXTERNAL_API_URL": upstream.baseURL, "UPSTREAM_TLS_VERIFY": "false"], in: directory)
            #expect(status == 0)
            #expect(log.contains("warning data-action: [data_action] UPSTREAM_TLS_VERIFY=false: the upstream's certificate is not checked"))
        }
    }

    @Test("calls go through HTTPS_PROXY with its credentials, which no output shows; NO_PROXY goes around it")
    func forwardProxy() async throws {
        try await Self.withUpstream { certificates, upstream, directory in
            let proxyDirectory = try TemporaryDirectory()
            defer { proxyDirectory.remove() }
            let proxy = try await ForwardProxy(directory: proxyDirectory)
            let upstreamHost = String(upstream.baseURL.dropFirst("https://".count).prefix { $0 != "/" })
            let environment = [
                "EXTERNAL_API_URL": upstream.baseURL, "UPSTREAM_CA_FILE": certificates.caFile, "HTTPS_PROXY": proxy.urlWithCredentials,
            ]
            let (status, output, log) = try await Self.invoke(environment, in: directory)
            #expect(status == 0)
            #expect(output == "status: 200\n\(Self.found)\n")
            #expect(proxy.log.contains("CONNECT \(upstreamHost)"))
            #expect(!log.contains(ForwardProxy.password))

            let check = try ServiceProcess(
                arguments: ["check-config"],
                environment: environment.merging(["SHARED_SECRET": ServeTests.secret]) { $1 },
                workingDirectory: directory.path
            )
            #expect(try await check.waitForExit() == 0)
            #expect(
                check.standardOutput.contains(
                    "upstream proxy for \(upstream.baseURL): http://<redacted>@\(proxy.url.dropFirst("http://".count)) (from HTTPS_PROXY)"
                )
            )
            #expect(!check.standardOutput.contains(ForwardProxy.password))

            // Without the credentials the proxy says 407, and the call fails.
            let (_, refused, _) = try await Self.invoke(environment.merging(["HTTPS_PROXY": proxy.url]) { $1 }, in: directory)
            #expect(refused.hasPrefix("status: 502\n"))

            let connects = proxy.log.components(separatedBy: "CONNECT").count
            let bypass = environment.merging(["NO_PROXY": "localhost,127.0.0.1"]) { $1 }
            let (bypassStatus, _, _) = try await Self.invoke(bypass, in: directory)
            #expect(bypassStatus == 0)
            #expect(proxy.log.components(separatedBy: "CONNECT").count == connects, "NO_PROXY: the call did not pass the proxy")
            let bypassCheck = try ServiceProcess(
                arguments: ["check-config"],
                environment: bypass.merging(["SHARED_SECRET": ServeTests.secret]) { $1 },
                workingDirectory: directory.path
            )
            #expect(try await bypassCheck.waitForExit() == 0)
            #expect(bypassCheck.standardOutput.contains("upstream proxy for \(upstream.baseURL): none (the host is in NO_PROXY)"))
            try await proxy.stop()
        }
    }
}
