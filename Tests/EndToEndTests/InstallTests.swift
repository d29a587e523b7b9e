import Foundation
import TestSupport
import Testing

/// `make install-files` (what `make install` runs after the release build), into a staging
/// directory with DESTDIR.
@Suite("make install", .timeLimit(.minutes(3)))
struct InstallTests {
    func install(into destination: TemporaryDirectory) async throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: "/usr/bin/make",
            arguments: [
                "-C", NginxProcess.repositoryRoot, "install-files", "DESTDIR=\(destination.path)", "PREFIX=/opt/data-action",
                "BINARY=\(ServiceProcess.binaryPath)",
            ],
            environment: [:],
            workingDirectory: destination.path
        )
        #expect(try await process.waitForExit() == 0, "\(process.standardError)")
        return process
    }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("installs the binary, units, nginx snippets and a 0600 env file, under PREFIX and DESTDIR")
    func layout() async throws {
        let destination = try TemporaryDirectory()
        defer { destination.remove() }
        _ = try await self.install(into: destination)
        let expected: [(String, Int)] = [
            ("/opt/data-action/bin/data-action", 0o755),
            ("/etc/systemd/system/data-action.service", 0o644),
            ("/etc/systemd/system/data-action.socket", 0o644),
            ("/etc/nginx/conf.d/data-action-http.conf", 0o644),
            ("/etc/nginx/data-action/data-action.conf", 0o644),
            ("/etc/nginx/data-action/genesys-allowlist.conf", 0o644),
            ("/etc/nginx/data-action/monitoring-allow.conf", 0o644),
            ("/etc/data-action/env", 0o600),
            ("/opt/data-action/share/doc/data-action/README.md", 0o644),
            ("/opt/data-action/share/doc/data-action/recipes/salesforce.yaml", 0o644),
        ]
        for (path, mode) in expected {
            #expect(try self.mode(destination.path + path) == mode, "\(path)")
        }
        let service = try String(contentsOfFile: destination.file("etc/systemd/system/data-action.service"), encoding: .utf8)
        #expect(service.contains("ExecStart=/opt/data-action/bin/data-action serve"))
        // The example env file refuses to start until a secret is set.
        let check = try ServiceProcess(
            arguments: ["check-config", "--env-file", destination.file("etc/data-action/env")],
            environment: [:],
            workingDirectory: destination.path
        )
        #expect(try await check.waitForExit() == 78)
        #expect(check.standardError.contains("SHARED_SECRET is required"))
    }

    @Test("an existing env file, allowlist and monitoring addresses are kept")
    func keepsExisting() async throws {
        let destination = try TemporaryDirectory()
        defer { destination.remove() }
        _ = try await self.install(into: destination)
        try "SHARED_SECRET=kept\n".write(toFile: destination.file("etc/data-action/env"), atomically: true, encoding: .utf8)
        try "allow 1.2.3.0/24;\n".write(toFile: destination.file("etc/nginx/data-action/genesys-allowlist.conf"), atomically: true, encoding: .utf8)
        try "allow 10.9.8.7;\n".write(toFile: destination.file("etc/nginx/data-action/monitoring-allow.conf"), atomically: true, encoding: .utf8)
        _ = try await self.install(into: destination)
        #expect(try String(contentsOfFile: destination.file("etc/data-action/env"), encoding: .utf8) == "SHARED_SECRET=kept\n")
        #expect(
            try String(contentsOfFile: destination.file("etc/nginx/data-action/genesys-allowlist.conf"), encoding: .utf8) == "allow 1.2.3.0/24;\n"
        )
        #expect(try String(contentsOfFile: destination.file("etc/nginx/data-action/monitoring-allow.conf"), encoding: .utf8) == "allow 10.9.8.7;\n")
    }
}
