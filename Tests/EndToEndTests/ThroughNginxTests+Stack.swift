import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The stack the end-to-end suites run: the upstream stub, the real binary on a FastCGI unix
/// socket and real nginx in front with the shipped deploy/nginx snippets.
extension ThroughNginxTests {
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

    /// How the service gets its socket: the three ways the listener order (docs/ARCHITECTURE.md) serves.
    enum Start: String, Sendable, CaseIterable {
        case socketOption = "--socket"
        case spawnFastCGI = "spawn-fcgi (fd 0)"
        case systemdSocketActivate = "systemd-socket-activate (LISTEN_FDS)"

        func launch(socketPath: String, workers: Int = 16, environment: [String: String], directory: TemporaryDirectory) throws -> ServiceProcess {
            let binary = ServiceProcess.binaryPath
            switch self {
            case .socketOption:
                return try ServiceProcess(
                    arguments: ["serve", "--socket", socketPath, "--workers", String(workers)],
                    environment: environment,
                    workingDirectory: directory.path
                )
            case .spawnFastCGI:
                return try ServiceProcess(
                    executable: "/usr/bin/spawn-fcgi",
                    arguments: ["-n", "-s", socketPath, "-M", "0666", "--", binary, "serve", "--workers", String(workers)],
                    environment: environment,
                    workingDirectory: directory.path
                )
            case .systemdSocketActivate:
                let passed = environment.keys.sorted().flatMap { ["-E", $0] }
                return try ServiceProcess(
                    executable: "/usr/bin/systemd-socket-activate",
                    arguments: ["-l", socketPath] + passed + [binary, "serve", "--workers", String(workers)],
                    environment: environment,
                    workingDirectory: directory.path
                )
            }
        }

        /// What the starter logs once the socket accepts connections.
        var readiness: String { self == .systemdSocketActivate ? "Listening on" : "listening" }
    }

    /// Starts the stub, the service on a socket and nginx in front, runs `body`, stops them.
    /// `environment` adds settings for the service, given the stub; `monitoringAllow` is the
    /// text of nginx's monitoring addresses file (the shipped one when nil).
    func withStack(
        start: Start = .socketOption,
        workers: Int = 16,
        monitoringAllow: String? = nil,
        environment: (UpstreamStub) -> [String: String] = { _ in [:] },
        _ body: (Stack) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stub = try await UpstreamStub(slowDelay: .seconds(3))
        let socketPath = directory.file("fcgi.sock")
        let service = try start.launch(
            socketPath: socketPath,
            workers: workers,
            environment: [
                "SHARED_SECRET": Self.secret, "EXTERNAL_API_URL": stub.baseURL, "GENESYS_ORG_ID": Self.organizationId,
                "UPSTREAM_TIMEOUT_MS": "1000", "MAX_BODY_BYTES": "1000",
            ].merging(environment(stub)) { $1 },
            directory: directory
        )
        defer { service.terminate() }
        try await service.waitForStandardError(containing: start.readiness)
        if start == .systemdSocketActivate {
            // systemd-socket-activate makes the socket 0644; the socket unit's SocketMode does
            // this job in production, so nginx's workers (nobody here) can connect.
            chmod(socketPath, 0o666)
        }
        try await Self.writeAllowlist(.nginx, to: directory.file("genesys-allowlist.conf"), in: directory)
        let nginx = try await NginxProcess(
            directory: directory,
            socketPath: socketPath,
            port: try await ClosedPort.find(),
            monitoringAllow: monitoringAllow
        )
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

    /// Writes the allowlist for `server` with `data-action allowlist`, as in production: 127.0.0.1
    /// is a data-actions range; 127.0.0.2 is listed too, but for another Genesys service.
    static func writeAllowlist(_ server: WebServer, to path: String, in directory: TemporaryDirectory) async throws {
        let allowlist = try ServiceProcess(
            arguments: ["allowlist", "--input", "-", "--format", server.rawValue, "--output", path],
            environment: [:],
            standardInput: Array(
                (#"{"entities":[{"cidr":"127.0.0.1/32","service":"data-actions","region":"local"},"#
                    + #"{"cidr":"127.0.0.2/32","service":"smtp","region":"local"}]}"#).utf8
            ),
            workingDirectory: directory.path
        )
        #expect(try await allowlist.waitForExit() == 0, "\(allowlist.standardError)")
    }
}
