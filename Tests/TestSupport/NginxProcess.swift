import Foundation

/// Real nginx in the foreground, configured with the project's shipped deploy/nginx files.
///
/// The snippets are used as they ship; only their absolute paths (the service socket, the
/// allowlist, the access log) are pointed into a temporary directory — the same files,
/// parameterised by paths, never a second copy that could drift.
public final class NginxProcess: Sendable {
    /// The repository root, found from this file's place in it.
    public static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The port nginx listens on, on 127.0.0.1 and 127.0.0.2.
    public let port: Int
    /// The access log nginx writes for the data action.
    public let accessLogPath: String
    private let process: ServiceProcess

    /// Starts nginx in `directory`, passing FastCGI to `socketPath`. The allowlist include is
    /// expected at `directory/genesys-allowlist.conf`; `monitoringAllow` is the monitoring
    /// addresses file's text (`allow 127.0.0.3;`), the shipped one (this host only) when nil.
    public init(directory: TemporaryDirectory, socketPath: String, port: Int, monitoringAllow: String? = nil) async throws {
        self.port = port
        self.accessLogPath = directory.file("data-action.access.log")
        let deploy = Self.repositoryRoot + "/deploy/nginx/"
        var monitoring: [String] = []
        if let monitoringAllow {
            try monitoringAllow.write(toFile: directory.file("monitoring-allow.conf"), atomically: true, encoding: .utf8)
            monitoring = [directory.file("monitoring-allow.conf")]
        }
        let localize = try ServiceProcess(
            executable: deploy + "localize.sh",
            arguments: [socketPath, directory.file("genesys-allowlist.conf"), self.accessLogPath] + monitoring,
            environment: [:],
            workingDirectory: directory.path
        )
        guard try await localize.waitForExit() == 0 else {
            throw ProcessFailure(description: "localize.sh failed: \(localize.standardError)")
        }
        try localize.standardOutput.write(toFile: directory.file("data-action.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: directory.file("fastcgi_params"))
        try """
        \(Self.scratchConfiguration(in: directory, name: "nginx", errorLog: directory.file("error.log")))
            access_log off;
            include \(deploy)data-action-http.conf;
            server {
                listen 127.0.0.1:\(port);
                listen 127.0.0.2:\(port);
                include \(directory.file("data-action.conf"));
            }
        }
        """.write(toFile: directory.file("nginx.conf"), atomically: true, encoding: .utf8)
        // nginx's workers run as nobody: the directory must let them reach the socket.
        chmod(directory.path, 0o755)
        self.process = try ServiceProcess(
            executable: "/usr/sbin/nginx",
            arguments: ["-p", directory.path, "-c", directory.file("nginx.conf"), "-e", directory.file("error.log")],
            environment: [:],
            workingDirectory: directory.path
        )
        try await Self.waitUntilListening(port: port, process: self.process, errorLog: directory.file("error.log"))
    }

    /// The start of an nginx.conf for a foreground nginx whose files all live in `directory`:
    /// its pid file is `name.pid`, its error log `errorLog`; it ends inside the `http` block.
    public static func scratchConfiguration(in directory: TemporaryDirectory, name: String, errorLog: String) -> String {
        """
        worker_processes 1;
        daemon off;
        pid \(directory.file("\(name).pid"));
        error_log \(errorLog) notice;
        events { worker_connections 512; }
        http {
            client_body_temp_path \(directory.file("client_body"));
            fastcgi_temp_path \(directory.file("fastcgi"));
            proxy_temp_path \(directory.file("proxy"));
            uwsgi_temp_path \(directory.file("uwsgi"));
            scgi_temp_path \(directory.file("scgi"));
        """
    }

    private static func waitUntilListening(port: Int, process: ServiceProcess, errorLog: String) async throws {
        let client = HTTPTestClient(port: port)
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await onThread { try client.send("GET", "/nginx-readiness") }) == nil {
            guard ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "nginx did not start: \((try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops nginx.
    public func stop() async throws {
        self.process.signal(SIGQUIT)
        _ = try await self.process.waitForExit()
    }

    /// Waits until the access log contains `text`; fails after 30 seconds.
    public func waitForAccessLog(containing text: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !self.accessLog.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "no '\(text)' in the access log: \(self.accessLog)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The access log so far.
    public var accessLog: String { (try? String(contentsOfFile: self.accessLogPath, encoding: .utf8)) ?? "" }
}
