import Foundation
import TestSupport
import Testing

/// The built binary behind each web server it ships a configuration for — nginx, Apache httpd,
/// lighttpd and Caddy, as Debian packages them — with that configuration as shipped and the
/// allowlist `data-action allowlist --format` writes for it, on loopback.
@Suite("Behind each web server", .timeLimit(.minutes(5)))
struct WebServerTests {
    /// The service, the stub and `server` in front, for `body`; the allowlist written by
    /// `data-action allowlist`, or the shipped one.
    func withServer(
        _ server: WebServer,
        shippedAllowlist: Bool = false,
        _ body: (_ port: Int, _ service: ServiceProcess, _ logs: () -> String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stub = try await UpstreamStub()
        let socketPath = directory.file("fcgi.sock")
        let service = try ThroughNginxTests.Start.socketOption.launch(
            socketPath: socketPath,
            environment: [
                "SHARED_SECRET": ThroughNginxTests.secret, "EXTERNAL_API_URL": stub.baseURL, "GENESYS_ORG_ID": ThroughNginxTests.organizationId,
                "UPSTREAM_TIMEOUT_MS": "1000", "MAX_BODY_BYTES": "1000",
            ],
            directory: directory
        )
        defer { service.terminate() }
        try await service.waitForStandardError(containing: "listening")
        let allowlist = directory.file("genesys-allowlist.conf")
        if shippedAllowlist {
            try FileManager.default.copyItem(atPath: server.shippedAllowlist, toPath: allowlist)
        } else {
            try await ThroughNginxTests.writeAllowlist(server, to: allowlist, in: directory)
        }
        let port = try await ClosedPort.find()
        if server == .nginx {
            let nginx = try await NginxProcess(directory: directory, socketPath: socketPath, port: port)
            let check = try await WebServerProcess.check(.nginx, configuration: directory.file("nginx.conf"), directory: directory)
            #expect(check.0 == 0, "nginx -t: \(check.1)")
            do {
                try await body(port, service) { nginx.accessLog }
            } catch {
                try? await nginx.stop()
                throw error
            }
            try await nginx.stop()
        } else {
            let main = try WebServerProcess.configuration(server, directory: directory, socketPath: socketPath, allowlist: allowlist, port: port)
            let check = try await WebServerProcess.check(server, configuration: main, directory: directory)
            #expect(check.0 == 0, "\(server)'s check of the shipped configuration and the generated allowlist: \(check.1)")
            let front = try await WebServerProcess(server, directory: directory, socketPath: socketPath, allowlist: allowlist, port: port)
            do {
                try await body(port, service) { front.accessLog }
            } catch {
                try? await front.stop()
                throw error
            }
            try await front.stop()
        }
        try await stub.stop()
    }

    @Test(
        "the request contract through each server: found, not found, 401 (absent, wrong), 400, 413, 404, the correlation id",
        arguments: WebServer.allCases
    )
    func contract(_ server: WebServer) async throws {
        try await self.withServer(server) { port, service, accessLog in
            let client = HTTPTestClient(port: port)
            func post(
                _ body: String,
                to path: String = "/data-action/user-lookup",
                headers: [String: String] = ThroughNginxTests.genesysHeaders()
            )
                async throws -> HTTPTestClient.Answer
            {
                try await onThread { try client.send("POST", path, headers: headers, body: Array(body.utf8)) }
            }
            let found = try await post(#"{"userId":"1"}"#, headers: ThroughNginxTests.genesysHeaders(correlationId: "web-\(server)-found"))
            #expect(found.status == 200)
            #expect(String(decoding: found.body, as: UTF8.self).contains(#""userName":"Leanne Graham""#))
            // The service gives the length, so nginx, lighttpd and Caddy pass the answer on
            // unchunked (Apache's mod_proxy_fcgi chunks it whatever the backend says).
            if server != .apache {
                #expect(found.headers["content-length"] == String(found.body.count))
                #expect(found.headers["transfer-encoding"] == nil)
            }
            try await service.waitForStandardError(containing: "correlationId=web-\(server)-found")
            try await waitUntil("\(server)'s access log names the call", timeout: .seconds(10)) {
                accessLog().contains("web-\(server)-found")
            } saw: {
                accessLog()
            }

            let notFound = try await post(#"{"userId":"999"}"#)
            #expect(notFound.status == 200)
            #expect(String(decoding: notFound.body, as: UTF8.self) == #"{"outputs":{"userFound":false}}"#)

            var withoutSecret = ThroughNginxTests.genesysHeaders()
            withoutSecret["Authorization"] = nil
            #expect(try await post(#"{"userId":"1"}"#, headers: withoutSecret).status == 401)
            try await service.waitForStandardError(containing: "no Authorization header arrived", timeout: .seconds(10))
            let wrong = ThroughNginxTests.genesysHeaders().merging(["Authorization": "Bearer wrong-secret-0123456789"]) { $1 }
            #expect(try await post(#"{"userId":"1"}"#, headers: wrong).status == 401)
            // The header arrived: the server passed it on (Apache only with CGIPassAuth On).
            try await service.waitForStandardError(containing: "the Authorization header is not Bearer with the shared secret", timeout: .seconds(10))

            #expect(try await post(#"{"userId":true}"#).status == 400)
            #expect(try await post(#"{"userId":"1","pad":"\#(String(repeating: "x", count: 2000))"}"#).status == 413, "over the service's limit")
            #expect(try await post(#"{"pad":"\#(String(repeating: "x", count: 70_000))"}"#).status == 413, "over the server's limit")
            #expect(try await post(#"{"userId":"1"}"#, to: "/data-action/no-such-action").status == 404)
            let elsewhere = try await onThread { try client.send("GET", "/index.html") }
            #expect(elsewhere.status == 404, "nothing else of the host is served through the service")
            #expect(!accessLog().contains(ThroughNginxTests.secret), "the bearer secret is not in \(server)'s access log")
            #expect(!service.standardError.contains(ThroughNginxTests.secret))
        }
    }

    @Test("the allowlist and the monitoring paths: 127.0.0.2 is refused where 127.0.0.1 is let through", arguments: WebServer.allCases)
    func addresses(_ server: WebServer) async throws {
        try await self.withServer(server) { port, _, _ in
            let client = HTTPTestClient(port: port)
            func post(from source: String) async throws -> Int {
                try await onThread {
                    try client.send(
                        "POST",
                        "/data-action/user-lookup",
                        headers: ThroughNginxTests.genesysHeaders(),
                        body: Array(#"{"userId":"1"}"#.utf8),
                        from: source
                    )
                }.status
            }
            #expect(try await post(from: "127.0.0.1") == 200)
            #expect(try await post(from: "127.0.0.2") == 403, "an address outside the allowlist")
            for path in ["/metrics", "/readyz", "/healthz"] {
                let inside = try await onThread { try client.send("GET", path) }
                #expect(inside.status == 200, "\(path) from this host")
                let outside = try await onThread { try client.send("GET", path, from: "127.0.0.2") }
                #expect(outside.status == 403, "\(path) from outside")
            }
        }
    }

    @Test("the allowlist each server ships with passes its check and allows nobody until it is generated", arguments: WebServer.allCases)
    func shippedAllowlist(_ server: WebServer) async throws {
        try await self.withServer(server, shippedAllowlist: true) { port, service, _ in
            let client = HTTPTestClient(port: port)
            let answer = try await onThread {
                try client.send("POST", "/data-action/user-lookup", headers: ThroughNginxTests.genesysHeaders(), body: Array(#"{"userId":"1"}"#.utf8))
            }
            #expect(answer.status == 403)
            #expect(!service.standardError.contains("action=user-lookup"), "the service never saw the call")
            #expect(try await onThread { try client.send("GET", "/healthz") }.status == 200, "monitoring from this host still works")
        }
    }
}
