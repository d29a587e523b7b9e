import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The web servers the service ships a configuration for (deploy/nginx, deploy/apache,
/// deploy/lighttpd, deploy/caddy).
public enum WebServer: String, CaseIterable, Sendable {
    case nginx, apache, lighttpd, caddy

    /// The shipped configuration and its installation paths, which a test points elsewhere.
    struct Shipped {
        var file: String
        var socket = "/run/data-action/fcgi.sock"
        var allowlist: String
        var accessLog: String
    }

    var shipped: Shipped {
        switch self {
        case .nginx:
            Shipped(
                file: "nginx/data-action.conf",
                allowlist: "/etc/nginx/data-action/genesys-allowlist.conf",
                accessLog: "/var/log/nginx/data-action.access.log"
            )
        case .apache:
            Shipped(
                file: "apache/data-action.conf",
                allowlist: "/etc/apache2/data-action/genesys-allowlist.conf",
                accessLog: "/var/log/apache2/data-action.access.log"
            )
        case .lighttpd:
            Shipped(
                file: "lighttpd/data-action.conf",
                allowlist: "/etc/lighttpd/data-action/genesys-allowlist.conf",
                accessLog: "/var/log/lighttpd/data-action.access.log"
            )
        case .caddy:
            Shipped(
                file: "caddy/data-action.caddy",
                allowlist: "/etc/caddy/data-action/genesys-allowlist.caddy",
                accessLog: "/var/log/caddy/data-action.access.log"
            )
        }
    }

    /// The shipped allowlist file, which allows nothing until `data-action allowlist` replaces it.
    public var shippedAllowlist: String {
        NginxProcess.repositoryRoot + "/deploy/\(self.shipped.file.split(separator: "/")[0])/"
            + (self.shipped.allowlist.split(separator: "/").last.map(String.init) ?? "")
    }
}

/// Apache httpd, lighttpd or Caddy in the foreground with the project's shipped configuration,
/// its installation paths (socket, allowlist, access log) pointed into a temporary directory:
/// the same file, never a copy that could drift. nginx is ``NginxProcess``.
public final class WebServerProcess: Sendable {
    public let server: WebServer
    /// The port it listens on, on 127.0.0.1 and 127.0.0.2.
    public let port: Int
    /// The access log the shipped configuration writes for the data actions.
    public let accessLogPath: String
    private let process: ServiceProcess
    private let errorLogPath: String

    /// The server's main configuration, written into `directory`, around the shipped file;
    /// `allowlist` is the allowlist file the shipped configuration includes.
    public static func configuration(
        _ server: WebServer,
        directory: TemporaryDirectory,
        socketPath: String,
        allowlist: String,
        port: Int
    ) throws -> String {
        let shipped = server.shipped
        var text = try String(contentsOfFile: NginxProcess.repositoryRoot + "/deploy/" + shipped.file, encoding: .utf8)
        text = text.replacingOccurrences(of: shipped.socket, with: socketPath)
            .replacingOccurrences(of: shipped.allowlist, with: allowlist)
            .replacingOccurrences(of: shipped.accessLog, with: directory.file("data-action.access.log"))
        let localized = directory.file("data-action.\(server.rawValue).conf")
        let main = directory.file("\(server.rawValue).conf")
        let root = geteuid() == 0
        switch server {
        case .nginx:
            preconditionFailure("nginx runs as NginxProcess")
        case .apache:
            try text.write(toFile: localized, atomically: true, encoding: .utf8)
            let modules = ["mpm_event", "authz_core", "authz_host", "proxy", "proxy_fcgi", "headers", "setenvif"]
            try """
            ServerRoot \(directory.path)
            DefaultRuntimeDir \(directory.path)
            PidFile \(directory.file("apache.pid"))
            ErrorLog \(directory.file("error.log"))
            LogLevel warn
            ServerName localhost
            DocumentRoot \(directory.path)
            Listen 127.0.0.1:\(port)
            Listen 127.0.0.2:\(port)
            \(modules.map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" }.joined(separator: "\n"))
            \(root ? "User nobody\nGroup nogroup" : "")
            <VirtualHost *:\(port)>
                Include \(localized)
            </VirtualHost>

            """.write(toFile: main, atomically: true, encoding: .utf8)
        case .lighttpd:
            try text.write(toFile: localized, atomically: true, encoding: .utf8)
            try """
            server.document-root = "\(directory.path)"
            server.bind = "127.0.0.1"
            server.port = \(port)
            $SERVER["socket"] == "127.0.0.2:\(port)" { }
            server.errorlog = "\(directory.file("error.log"))"
            server.pid-file = "\(directory.file("lighttpd.pid"))"
            include "\(localized)"

            """.write(toFile: main, atomically: true, encoding: .utf8)
        case .caddy:
            // The site's name becomes the port on both addresses, plain HTTP: TLS is Caddy's own
            // business, and the test speaks HTTP.
            text = text.replacingOccurrences(of: "data-action.example.com {", with: "http://:\(port) {\n\tbind 127.0.0.1 127.0.0.2")
            try text.write(toFile: localized, atomically: true, encoding: .utf8)
            try """
            {
            \tadmin off
            \tauto_https off
            \tstorage file_system \(directory.file("caddy-data"))
            }
            import \(localized)

            """.write(toFile: main, atomically: true, encoding: .utf8)
        }
        return main
    }

    /// The server's own check of a configuration (`apache2 -t`, `lighttpd -tt`, `caddy
    /// validate`; `nginx -t` for nginx's): its exit status and what it said.
    public static func check(_ server: WebServer, configuration: String, directory: TemporaryDirectory) async throws -> (Int32, String) {
        let (executable, arguments): (String, [String]) =
            switch server {
            case .nginx: ("/usr/sbin/nginx", ["-t", "-p", directory.path, "-c", configuration])
            case .apache: ("/usr/sbin/apache2", ["-t", "-f", configuration])
            case .lighttpd: ("/usr/sbin/lighttpd", ["-tt", "-f", configuration])
            case .caddy: ("/usr/bin/caddy", ["validate", "--config", configuration, "--adapter", "caddyfile"])
            }
        let process = try ServiceProcess(
            executable: executable,
            arguments: arguments,
            environment: Self.environment(directory),
            workingDirectory: directory.path
        )
        let status = try await process.waitForExit()
        return (status, process.standardOutput + process.standardError)
    }

    /// Caddy keeps its state under the home and XDG directories: the test's own.
    private static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        ["HOME": directory.path, "XDG_DATA_HOME": directory.file("xdg-data"), "XDG_CONFIG_HOME": directory.file("xdg-config")]
    }

    /// Starts `server` in `directory` in front of the service at `socketPath`, the allowlist
    /// at `allowlist`, and waits until it answers.
    public init(_ server: WebServer, directory: TemporaryDirectory, socketPath: String, allowlist: String, port: Int) async throws {
        self.server = server
        self.port = port
        self.accessLogPath = directory.file("data-action.access.log")
        self.errorLogPath = directory.file("error.log")
        let main = try Self.configuration(server, directory: directory, socketPath: socketPath, allowlist: allowlist, port: port)
        // The workers of a server started as root run as nobody: the directory must let them
        // reach the socket.
        chmod(directory.path, 0o755)
        let (executable, arguments): (String, [String]) =
            switch server {
            case .nginx: preconditionFailure("nginx runs as NginxProcess")
            case .apache: ("/usr/sbin/apache2", ["-f", main, "-DFOREGROUND"])
            case .lighttpd: ("/usr/sbin/lighttpd", ["-D", "-f", main])
            case .caddy: ("/usr/bin/caddy", ["run", "--config", main, "--adapter", "caddyfile"])
            }
        self.process = try ServiceProcess(
            executable: executable,
            arguments: arguments,
            environment: Self.environment(directory),
            workingDirectory: directory.path
        )
        let client = HTTPTestClient(port: port)
        try await waitUntil("\(server) answers on port \(port)", timeout: .seconds(30)) {
            (try? await onThread { try client.send("GET", "/web-server-readiness") }) != nil || !self.process.isRunning
        } saw: {
            "nothing yet"
        }
        guard self.process.isRunning else {
            throw ProcessFailure(description: "\(server) did not start: \(self.process.standardError) \(self.errorLog)")
        }
    }

    /// The server's error log so far.
    public var errorLog: String { (try? String(contentsOfFile: self.errorLogPath, encoding: .utf8)) ?? "" }

    /// The access log so far.
    public var accessLog: String { (try? String(contentsOfFile: self.accessLogPath, encoding: .utf8)) ?? "" }

    /// Stops the server and waits for it.
    public func stop() async throws {
        self.process.signal(SIGTERM)
        _ = try await self.process.waitForExit()
    }
}
