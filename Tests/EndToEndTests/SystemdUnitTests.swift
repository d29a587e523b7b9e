import Foundation
import TestSupport
import Testing

/// The shipped systemd units, checked by systemd's own tools.
@Suite("systemd units", .timeLimit(.minutes(3)))
struct SystemdUnitTests {
    /// The units as shipped, with ExecStart pointed at the binary under test (verify requires
    /// the program to exist).
    func unitsDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let shipped = NginxProcess.repositoryRoot + "/deploy/systemd/"
        let service = try String(contentsOfFile: shipped + "data-action.service", encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/local/bin/data-action", with: "ExecStart=\(ServiceProcess.binaryPath)")
        try service.write(toFile: directory.file("data-action.service"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: shipped + "data-action.socket", toPath: directory.file("data-action.socket"))
        return directory
    }

    @Test("systemd-analyze verify accepts the socket and service units")
    func verify() async throws {
        let directory = try self.unitsDirectory()
        defer { directory.remove() }
        let process = try ServiceProcess(
            executable: "/usr/bin/systemd-analyze",
            arguments: ["verify", directory.file("data-action.socket"), directory.file("data-action.service")],
            environment: [:],
            workingDirectory: directory.path
        )
        #expect(try await process.waitForExit() == 0)
        #expect(process.standardError.isEmpty, "\(process.standardError)")
    }

    @Test("systemd-analyze security rates the service OK or better")
    func securityExposure() async throws {
        let directory = try self.unitsDirectory()
        defer { directory.remove() }
        let process = try ServiceProcess(
            executable: "/usr/bin/systemd-analyze",
            arguments: ["security", "--offline=yes", "--no-pager", directory.file("data-action.service")],
            environment: [:],
            workingDirectory: directory.path
        )
        _ = try await process.waitForExit()
        let summary = try #require(process.standardOutput.split(separator: "\n").last { $0.contains("Overall exposure level") })
        // "→ Overall exposure level for data-action.service: 1.2 OK :-)"
        let score = try #require(Double(summary.components(separatedBy: ".service: ").last?.split(separator: " ").first ?? ""))
        // systemd calls 0–2.0 "OK" and below that "SAFE"/"PERFECT".
        #expect(score <= 2.0, "\(summary)")
        print("systemd-analyze security: \(summary)")
    }
}
