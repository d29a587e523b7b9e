import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The whole path Genesys takes: real nginx with the shipped deploy/nginx snippets, FastCGI
/// over a unix socket, the real binary, a real upstream on loopback.
@Suite("Through nginx")
struct ThroughNginxTests {
    static let secret = "end-to-end-secret-0123456789"
    static let organizationId = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"

    /// The headers Genesys sends with a data action call.
    static func genesysHeaders(correlationId: String = UUID().uuidString) -> [String: String] {
        [
            "Authorization": "Bearer \(secret)",
            "Content-Type": "application/json",
            "ININ-Correlation-Id": correlationId,
            "ININ-Organization-Id": organizationId,
            "ININ-Home-Organization-Id": organizationId,
        ]
    }

    struct Stack: Sendable {
        let nginx: NginxProcess
        let service: ServiceProcess
        let stub: UpstreamStub
        let client: HTTPTestClient

        func post(
            _ body: String,
            headers: [String: String] = ThroughNginxTests.genesysHeaders(),
            from source: String = "127.0.0.1"
        )
            async throws -> HTTPTestClient.Answer
        {
            let client = self.client
            return try await onThread {
                try client.send("POST", "/data-action/user-lookup", headers: headers, body: Array(body.utf8), from: source)
            }
        }
    }

    /// How the service gets its socket: the three ways DESIGN.md's listener order serves.
    enum Start: String, Sendable, CaseIterable {
        case socketOption = "--socket"
        case spawnFastCGI = "spawn-fcgi (fd 0)"
        case systemdSocketActivate = "systemd-socket-activate (LISTEN_FDS)"

        func launch(socketPath: String, environment: [String: String], directory: TemporaryDirectory) throws -> ServiceProcess {
            let binary = ServiceProcess.binaryPath
            switch self {
            case .socketOption:
                return try ServiceProcess(
                    arguments: ["serve", "--socket", socketPath, "--workers", "16"],
                    environment: environment,
                    workingDirectory: directory.path
                )
            case .spawnFastCGI:
                return try ServiceProcess(
                    executable: "/usr/bin/spawn-fcgi",
                    arguments: ["-n", "-s", socketPath, "-M", "0666", "--", binary, "serve", "--workers", "16"],
                    environment: environment,
                    workingDirectory: directory.path
                )
            case .systemdSocketActivate:
                let passed = environment.keys.sorted().flatMap { ["-E", $0] }
                return try ServiceProcess(
                    executable: "/usr/bin/systemd-socket-activate",
                    arguments: ["-l", socketPath] + passed + [binary, "serve", "--workers", "16"],
                    environment: environment,
                    workingDirectory: directory.path
                )
            }
        }

        /// What the starter logs once the socket accepts connections.
        var readiness: String { self == .systemdSocketActivate ? "Listening on" : "listening" }
    }

    /// Starts the stub, the service on a socket and nginx in front, runs `body`, stops them.
    func withStack(start: Start = .socketOption, _ body: (Stack) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stub = try await UpstreamStub(slowDelay: .seconds(3))
        let socketPath = directory.file("fcgi.sock")
        let service = try start.launch(
            socketPath: socketPath,
            environment: [
                "SHARED_SECRET": Self.secret, "EXTERNAL_API_URL": stub.baseURL, "GENESYS_ORG_ID": Self.organizationId,
                "UPSTREAM_TIMEOUT_MS": "1000", "MAX_BODY_BYTES": "1000",
            ],
            directory: directory
        )
        defer { service.terminate() }
        try await service.waitForStandardError(containing: start.readiness)
        if start == .systemdSocketActivate {
            // systemd-socket-activate makes the socket 0644; the socket unit's SocketMode does
            // this job in production, so nginx's workers (nobody here) can connect.
            chmod(socketPath, 0o666)
        }
        // The allowlist comes from `data-action allowlist`, as in production: 127.0.0.1 is a
        // data-actions range; 127.0.0.2 is listed too, but for another Genesys service.
        let allowlist = try ServiceProcess(
            arguments: ["allowlist", "--input", "-", "--output", directory.file("genesys-allowlist.conf")],
            environment: [:],
            standardInput: Array(
                (#"{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"local"},"#
                    + #"{"cidr":"127.0.0.2/32","service":"smtp","region":"local"}]}"#).utf8
            ),
            workingDirectory: directory.path
        )
        #expect(try await allowlist.waitForExit() == 0)
        let nginx = try await NginxProcess(directory: directory, socketPath: socketPath, port: try await ClosedPort.find())
        let stack = Stack(nginx: nginx, service: service, stub: stub, client: HTTPTestClient(port: nginx.port))
        do {
            try await body(stack)
        } catch {
            try? await nginx.stop()
            throw error
        }
        try await nginx.stop()
        try await stub.stop()
    }

    @Test("every contract row answers through nginx as the table says")
    func contractRows() async throws {
        try await self.withStack { stack in
            let rows: [(body: String, headers: [String: String], status: Int, contains: String)] = [
                (#"{"userId":"1"}"#, Self.genesysHeaders(), 200, #""userName":"Leanne Graham""#),
                (#"{"inputs":{"userId":"1"}}"#, Self.genesysHeaders(), 200, #""userFound":true"#),
                (#"{"userId":"999"}"#, Self.genesysHeaders(), 200, #""userFound":false"#),
                (#"{"userId":"1"}"#, Self.genesysHeaders().merging(["Authorization": "Bearer wrong-secret-0123456789"]) { $1 }, 401, "bearer token"),
                (
                    #"{"userId":"1"}"#, Self.genesysHeaders().merging(["ININ-Organization-Id": "00000000-0000-4000-8000-000000000000"]) { $1 }, 403,
                    "organization"
                ),
                (String(repeating: " ", count: 1001), Self.genesysHeaders(), 413, "larger than 1000 bytes"),
                ("", Self.genesysHeaders(), 400, "empty"),
                ("{not json", Self.genesysHeaders(), 400, "JSON object"),
                (#"{"inputs":[]}"#, Self.genesysHeaders(), 400, "'inputs'"),
                (#"{"userId":null}"#, Self.genesysHeaders(), 400, "Input 'userId' is required."),
                (#"{"userId":"../../etc/passwd"}"#, Self.genesysHeaders(), 400, "not a valid user id"),
                (#"{"userId":"error"}"#, Self.genesysHeaders(), 502, "answered with an error"),
                (#"{"userId":"notjson"}"#, Self.genesysHeaders(), 502, "invalid answer"),
                (#"{"userId":"reset"}"#, Self.genesysHeaders(), 502, "could not be reached"),
                (#"{"userId":"slow"}"#, Self.genesysHeaders(), 504, "in time"),
            ]
            for row in rows {
                let answer = try await stack.post(row.body, headers: row.headers)
                #expect(answer.status == row.status, "\(row.body.prefix(40))")
                #expect(answer.text.contains(row.contains), "\(row.body.prefix(40)): \(answer.text)")
                #expect(answer.headers["content-type"] == "application/json; charset=utf-8")
                #expect(answer.headers["cache-control"] == "no-store")
            }
            let client = stack.client
            let get = try await onThread { try client.send("GET", "/data-action/user-lookup") }
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
        }
    }

    @Test("the service started each of three ways answers through nginx", arguments: Start.allCases)
    func startedThreeWays(start: Start) async throws {
        try await self.withStack(start: start) { stack in
            let answer = try await stack.post(#"{"userId":"1"}"#)
            #expect(answer.status == 200)
            #expect(answer.text.contains(#""userName":"Leanne Graham""#))
        }
    }

    @Test("a caller outside the allowlist gets 403 from nginx and never reaches the service")
    func outsideAllowlist() async throws {
        try await self.withStack { stack in
            let answer = try await stack.post(#"{"userId":"1"}"#, from: "127.0.0.2")
            #expect(answer.status == 403)
            #expect(stack.stub.requests.isEmpty)
            #expect(!stack.service.standardError.contains("action=user-lookup"))
        }
    }

    @Test("a body over nginx's limit gets 413 from nginx")
    func overNginxLimit() async throws {
        try await self.withStack { stack in
            let answer = try await stack.post(String(repeating: "x", count: 70_000))
            #expect(answer.status == 413)
            #expect(!stack.service.standardError.contains("action=user-lookup"))
        }
    }

    @Test("/healthz answers from this host and is refused from outside")
    func health() async throws {
        try await self.withStack { stack in
            let client = stack.client
            let inside = try await onThread { try client.send("GET", "/healthz") }
            #expect(inside.status == 200)
            #expect(inside.text == #"{"status":"ok"}"#)
            let outside = try await onThread { try client.send("GET", "/healthz", from: "127.0.0.2") }
            #expect(outside.status == 403)
        }
    }

    @Test("the correlation id appears in nginx's access log and in the service's log")
    func correlationIdInBothLogs() async throws {
        try await self.withStack { stack in
            let correlationId = "corr-\(UUID().uuidString)"
            let answer = try await stack.post(#"{"userId":"1"}"#, headers: Self.genesysHeaders(correlationId: correlationId))
            #expect(answer.status == 200)
            // nginx writes the access log line just after the answer: wait for it.
            try await stack.nginx.waitForAccessLog(containing: "correlation=\(correlationId)")
            #expect(stack.service.standardError.contains("correlationId=\(correlationId)"))
            #expect(!stack.nginx.accessLog.contains(Self.secret))
            #expect(!stack.service.standardError.contains(Self.secret))
        }
    }
}
