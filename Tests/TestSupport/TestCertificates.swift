import Foundation

/// A certificate authority and certificates made with openssl for one test: a server
/// certificate for 127.0.0.1, a client certificate for mutual TLS, and a key that matches
/// neither.
public struct TestCertificates: Sendable {
    public let caFile: String
    public let serverCertificateFile: String
    public let serverKeyFile: String
    public let clientCertificateFile: String
    public let clientKeyFile: String
    public let strayKeyFile: String

    /// Makes them in `directory`.
    public init(in directory: TemporaryDirectory) async throws {
        self.caFile = directory.file("ca.pem")
        self.serverCertificateFile = directory.file("server.pem")
        self.serverKeyFile = directory.file("server.key")
        self.clientCertificateFile = directory.file("client.pem")
        self.clientKeyFile = directory.file("client.key")
        self.strayKeyFile = directory.file("stray.key")
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
            .write(toFile: directory.file("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory.file("client.ext"), atomically: true, encoding: .utf8)
        try await Self.openssl(
            ["req", "-x509"] + curve + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=data-action test CA"],
            in: directory
        )
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=data-action test client")] {
            try await Self.openssl(["req"] + curve + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject], in: directory)
            try await Self.openssl(
                ["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2"]
                    + ["-out", "\(name).pem", "-extfile", "\(name).ext"],
                in: directory
            )
        }
        try await Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "stray.key"], in: directory)
    }

    private static func openssl(_ arguments: [String], in directory: TemporaryDirectory) async throws {
        let process = try ServiceProcess(executable: "/usr/bin/openssl", arguments: arguments, environment: [:], workingDirectory: directory.path)
        guard try await process.waitForExit() == 0 else {
            throw ProcessFailure(description: "openssl \(arguments.joined(separator: " ")) failed: \(process.standardError)")
        }
    }
}

/// Real nginx serving user records over HTTPS on loopback: one port with the server
/// certificate only, one that also requires a client certificate the test CA signed.
public final class TLSUpstream: Sendable {
    /// `https://127.0.0.1:PORT/users`, with only a server certificate.
    public let baseURL: String
    /// The same, on a port that requires a client certificate.
    public let mutualBaseURL: String
    private let process: ServiceProcess

    public init(certificates: TestCertificates, directory: TemporaryDirectory) async throws {
        let port = try await ClosedPort.find()
        let mutualPort = try await ClosedPort.find()
        self.baseURL = "https://127.0.0.1:\(port)/users"
        self.mutualBaseURL = "https://127.0.0.1:\(mutualPort)/users"
        let locations = """
                ssl_certificate \(certificates.serverCertificateFile);
                ssl_certificate_key \(certificates.serverKeyFile);
                location = /users/1 {
                    default_type application/json;
                    return 200 '\(UpstreamStub.leanne)';
                }
                location / { return 404; }
            """
        try """
        \(NginxProcess.scratchConfiguration(in: directory, name: "upstream", errorLog: directory.file("upstream-error.log")))
            access_log \(directory.file("upstream-access.log"));
            server {
                listen 127.0.0.1:\(port) ssl;
        \(locations)
            }
            server {
                listen 127.0.0.1:\(mutualPort) ssl;
                ssl_client_certificate \(certificates.caFile);
                ssl_verify_client on;
        \(locations)
            }
        }
        """.write(toFile: directory.file("upstream.conf"), atomically: true, encoding: .utf8)
        self.process = try ServiceProcess(
            executable: "/usr/sbin/nginx",
            arguments: ["-p", directory.path, "-c", directory.file("upstream.conf"), "-e", directory.file("upstream-error.log")],
            environment: [:],
            workingDirectory: directory.path
        )
        for listening in [port, mutualPort] {
            try await ClosedPort.waitUntilAccepting(port: listening, process: self.process)
        }
    }

    public func stop() async throws {
        self.process.signal(SIGQUIT)
        _ = try await self.process.waitForExit()
    }
}

/// Real tinyproxy on loopback, asking for a user name and password, logging each call.
public final class ForwardProxy: Sendable {
    public static let user = "proxyuser"
    public static let password = "proxy-pass-7f3a9c"
    /// `http://127.0.0.1:PORT`, without credentials.
    public let url: String
    /// The same with the user name and password.
    public let urlWithCredentials: String
    private let logPath: String
    private let process: ServiceProcess

    public init(directory: TemporaryDirectory) async throws {
        let port = try await ClosedPort.find()
        self.url = "http://127.0.0.1:\(port)"
        self.urlWithCredentials = "http://\(Self.user):\(Self.password)@127.0.0.1:\(port)"
        self.logPath = directory.file("tinyproxy.log")
        // No ConnectPort line: CONNECT may reach any port (the upstreams' are random).
        try """
        Port \(port)
        Listen 127.0.0.1
        Timeout 30
        LogFile "\(self.logPath)"
        LogLevel Connect
        MaxClients 50
        Allow 127.0.0.1
        BasicAuth \(Self.user) \(Self.password)
        """.write(toFile: directory.file("tinyproxy.conf"), atomically: true, encoding: .utf8)
        // tinyproxy drops root for nobody, who must write the log.
        chmod(directory.path, 0o777)
        self.process = try ServiceProcess(
            executable: "/usr/bin/tinyproxy",
            arguments: ["-d", "-c", directory.file("tinyproxy.conf")],
            environment: [:],
            workingDirectory: directory.path
        )
        try await ClosedPort.waitUntilAccepting(port: port, process: self.process)
    }

    /// What tinyproxy logged.
    public var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    public func stop() async throws {
        // SIGKILL: the test runner starts children with SIGTERM blocked, and tinyproxy keeps it so.
        self.process.signal(SIGKILL)
        _ = try await self.process.waitForExit()
    }
}
