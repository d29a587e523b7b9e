import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary serving over FastCGI (and CGI), against a real upstream on loopback.
@Suite("data-action serve", .timeLimit(.minutes(3)))
struct ServeTests {
    static let secret = "serve-test-secret-0123456789"

    static func environment(_ stub: UpstreamStub, _ extra: [String: String] = [:]) -> [String: String] {
        [
            "SHARED_SECRET": secret, "EXTERNAL_API_URL": stub.baseURL, "LOG_LEVEL": "info", "STUB_ORIGIN": stub.origin,
            "STUB_TOKEN_URL": stub.origin + "/oauth2/token",
        ].merging(extra) { $1 }
    }

    static let lookupHeaders = ["Authorization": "Bearer \(secret)", "Content-Type": "application/json", "ININ-Correlation-Id": "e2e-1"]

    /// `GET /metrics` over FastCGI.
    static func scrape(_ client: FastCGITestClient) async throws -> PrometheusText {
        let answer = try await onThread {
            try client.send(parameters: FastCGITestClient.parameters(method: "GET", path: "/metrics", headers: [:], bodyLength: 0))
        }
        #expect(answer.status == 200)
        return PrometheusText(answer.text)
    }

    /// How a test starts the service: each way the listener order (docs/ARCHITECTURE.md) allows.
    enum Launcher: Sendable {
        /// `data-action serve --socket PATH`.
        case socket(workers: Int = 8, environment: [String: String] = [:])
        /// spawn-fcgi opens the socket and execs the service with it on fd 0.
        case spawnFastCGI
        /// systemd-socket-activate holds the socket and execs the service on the first connection.
        case systemdSocketActivate

        /// What the starter prints on standard error once the socket accepts connections.
        var readiness: String {
            switch self {
            case .socket, .spawnFastCGI: "listening"
            case .systemdSocketActivate: "Listening on"
            }
        }

        func start(stub: UpstreamStub, directory: TemporaryDirectory, socketPath: String) throws -> ServiceProcess {
            switch self {
            case .socket(let workers, let environment):
                return try ServiceProcess(
                    arguments: ["serve", "--socket", socketPath, "--workers", "\(workers)"],
                    environment: ServeTests.environment(stub, environment),
                    workingDirectory: directory.path
                )
            case .spawnFastCGI:
                return try ServiceProcess(
                    executable: "/usr/bin/spawn-fcgi",
                    arguments: ["-n", "-s", socketPath, "--", ServiceProcess.binaryPath, "serve"],
                    environment: ServeTests.environment(stub),
                    workingDirectory: directory.path
                )
            case .systemdSocketActivate:
                // It passes on only the variables named with -E, as systemd would.
                let passed = ServeTests.environment(stub).keys.sorted().flatMap { ["-E", $0] }
                return try ServiceProcess(
                    executable: "/usr/bin/systemd-socket-activate",
                    arguments: ["-l", socketPath] + passed + [ServiceProcess.binaryPath, "serve"],
                    environment: ServeTests.environment(stub),
                    workingDirectory: directory.path
                )
            }
        }
    }

    /// Runs `body` with a stub, a temporary directory and the service started by `launcher`.
    func withService(
        _ launcher: Launcher = .socket(),
        _ body: (ServiceProcess, FastCGITestClient, UpstreamStub) async throws -> Void
    ) async throws {
        let stub = try await UpstreamStub(slowDelay: .seconds(1))
        let directory = try TemporaryDirectory()
        let socketPath = directory.file("fcgi.sock")
        let process = try launcher.start(stub: stub, directory: directory, socketPath: socketPath)
        defer {
            process.terminate()
            directory.remove()
        }
        try await process.waitForStandardError(containing: launcher.readiness)
        try await body(process, FastCGITestClient(socketPath: socketPath), stub)
        try await stub.stop()
    }

    @Test("--socket serves a Genesys request and logs it with the correlation id")
    func serveOnSocket() async throws {
        try await self.withService { process, client, _ in
            let answer = try await onThread {
                try client.post("/data-action/user-lookup", headers: Self.lookupHeaders, body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == "application/json; charset=utf-8")
            #expect(answer.headers["cache-control"] == "no-store")
            #expect(
                answer.text
                    == #"{"outputs":{"userEmail":"Sincere@april.biz","userFound":true,"userName":"Leanne Graham","userPhone":"1-770-736-8031 x56442"}}"#
            )
            let unauthorized = try await onThread { try client.post("/data-action/user-lookup", body: Array(#"{"userId":"1"}"#.utf8)) }
            #expect(unauthorized.status == 401)
            #expect(unauthorized.headers["www-authenticate"] == "Bearer")
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)
            #expect(process.standardError.contains("correlationId=e2e-1"))
            #expect(!process.standardError.contains(Self.secret))
        }
    }

    @Test("SIGTERM lets a request in flight finish, exits 0 and removes the socket")
    func drainOnSigterm() async throws {
        try await self.withService { process, client, stub in
            async let answer = onThread {
                try client.post("/data-action/user-lookup", headers: Self.lookupHeaders, body: Array(#"{"userId":"held"}"#.utf8))
            }
            try await stub.waitUntilHeld(1)
            process.signal(SIGTERM)
            try await process.waitForStandardError(containing: "shutting down", timeout: .seconds(30))
            stub.openGate()
            let drained = try await answer
            #expect(drained.status == 200)
            #expect(drained.text.contains(#""userFound":true"#))
            #expect(try await process.waitForExit() == 0)
            #expect(!FileManager.default.fileExists(atPath: client.socketPath))
            #expect(process.standardError.contains("received SIGTERM"))
        }
    }

    /// The upstream holds every answer at its gate until all 64 requests wait there at once, so
    /// the test passes only if the service never queues a lookup behind another (no timing
    /// involved).
    @Test("64 slow lookups at once are all in flight upstream together, not queued")
    func concurrentSlowLookups() async throws {
        try await self.withService(.socket(workers: 64, environment: ["UPSTREAM_TIMEOUT_MS": "60000"])) { process, client, stub in
            let calls = (0..<64).map { _ in
                Task {
                    try await onThread {
                        try client.post("/data-action/user-lookup", headers: Self.lookupHeaders, body: Array(#"{"userId":"held"}"#.utf8)).status
                    }
                }
            }
            try await stub.waitUntilHeld(64, timeout: .seconds(60))
            stub.openGate()
            var statuses: [Int] = []
            for call in calls { statuses.append(try await call.value) }
            #expect(statuses == Array(repeating: 200, count: 64))
            #expect(stub.mostInFlight == 64)
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)
        }
    }

    @Test(
        "a socket handed over by a spawner is used and left open for the next process",
        arguments: [
            (Launcher.spawnFastCGI, "inherited socket on fd 0"),
            // systemd-socket-activate starts the service on the first connection.
            (Launcher.systemdSocketActivate, "systemd socket (fd 3)"),
        ]
    )
    func handedOverSocket(launcher: Launcher, listenerDescription: String) async throws {
        try await self.withService(launcher) { process, client, _ in
            let answer = try await onThread {
                try client.post("/data-action/user-lookup", headers: Self.lookupHeaders, body: Array(#"{"userId":"999"}"#.utf8))
            }
            #expect(answer.status == 200)
            #expect(answer.text.contains(#""userFound":false"#))
            // Written before the answer, but it reaches this process through a pipe.
            try await process.waitForStandardError(containing: listenerDescription, timeout: .seconds(10))
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)
            #expect(FileManager.default.fileExists(atPath: client.socketPath))
        }
    }

    @Test("with no listener and a CGI environment, one request is answered on standard output; the caller's Proxy: header is not a proxy")
    func cgiMode() async throws {
        let stub = try await UpstreamStub()
        let closedPort = try await ClosedPort.find()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let body = Array(#"{"userId":"1"}"#.utf8)
        let process = try ServiceProcess(
            arguments: ["serve"],
            environment: Self.environment(stub).merging(
                [
                    "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/data-action/user-lookup",
                    "CONTENT_LENGTH": "\(body.count)", "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": "Bearer \(Self.secret)",
                    // What a caller's "Proxy:" header becomes in CGI ("httpoxy"): honoured, the call would fail.
                    "HTTP_PROXY": "http://127.0.0.1:\(closedPort)",
                ]
            ) { $1 },
            standardInput: body,
            workingDirectory: directory.path
        )
        #expect(try await process.waitForExit() == 0)
        let answer = try FastCGITestClient.parse(Array(process.standardOutput.utf8))
        #expect(answer.status == 200)
        #expect(answer.text.contains(#""userName":"Leanne Graham""#))
        try await stub.stop()
    }

    @Test("invoke runs the lookup once and prints status and JSON")
    func invoke() async throws {
        let stub = try await UpstreamStub()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let found = try ServiceProcess(
            arguments: ["invoke", #"{"userId":"1"}"#],
            environment: Self.environment(stub),
            workingDirectory: directory.path
        )
        #expect(try await found.waitForExit() == 0)
        #expect(found.standardOutput.hasPrefix("status: 200\n{\"outputs\":"))
        let failed = try ServiceProcess(
            arguments: ["invoke", #"{"userId":"error"}"#],
            environment: Self.environment(stub),
            workingDirectory: directory.path
        )
        #expect(try await failed.waitForExit() == 1)
        #expect(failed.standardOutput.hasPrefix("status: 502\n"))
        try await stub.stop()
    }
}
