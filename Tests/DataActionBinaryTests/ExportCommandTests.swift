import DataAction
import Foundation
import TestSupport
import Testing

@Suite("data-action export", .timeLimit(.minutes(3)))
struct ExportCommandTests {
    func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: TemporaryDirectory
    ) async throws -> (
        status: Int32, process: ServiceProcess
    ) {
        let process = try ServiceProcess(arguments: ["export"] + arguments, environment: environment, workingDirectory: directory.path)
        return (try await process.waitForExit(), process)
    }

    @Test("prints an importable action; the timeout follows UPSTREAM_TIMEOUT_MS; no setting leaks into it")
    func prints() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = "a-secret-that-must-not-leak-0123"
        let (status, process) = try await self.run(
            ["--url-base", "https://host.example", "--name", "Caller lookup"],
            environment: ["UPSTREAM_TIMEOUT_MS": "2500", "SHARED_SECRET": secret, "UPSTREAM_AUTHORIZATION": "Token \(secret)"],
            in: directory
        )
        #expect(status == 0)
        let action = try GenesysAction(importFile: Array(process.standardOutput.utf8))
        #expect(action.name == "Caller lookup")
        #expect(action.requestURLTemplate == "https://host.example/data-action/user-lookup")
        #expect(action.timeoutSeconds == 8)
        #expect(!process.standardOutput.contains(secret))
        #expect(process.standardError.isEmpty)
    }

    @Test("--output writes the file; --credential-field names the credential")
    func writesFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("user-lookup.json")
        let (status, process) = try await self.run(
            ["--url-base", "https://host.example/", "--credential-field", "dataActionSecret", "--timeout-seconds", "20", "--output", path],
            in: directory
        )
        #expect(status == 0)
        #expect(process.standardOutput.isEmpty)
        let action = try GenesysAction(importFile: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(action.headerTemplates["Authorization"] == "Bearer ${credentials.dataActionSecret}")
        #expect(action.timeoutSeconds == 20)
        #expect(action.requestURLTemplate == "https://host.example/data-action/user-lookup")
    }

    @Test("bad options exit 64 with one line per problem and print no file")
    func refuses() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (status, process) = try await self.run(["--url-base", "http://host", "--timeout-seconds", "90"], in: directory)
        #expect(status == 64)
        #expect(process.standardOutput.isEmpty)
        let lines = process.standardError.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("data-action: --") })
    }

    @Test("a bad UPSTREAM_TIMEOUT_MS is a configuration error (78)")
    func badSetting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (status, process) = try await self.run(["--url-base", "https://host"], environment: ["UPSTREAM_TIMEOUT_MS": "soon"], in: directory)
        #expect(status == 78)
        #expect(process.standardError == "data-action: UPSTREAM_TIMEOUT_MS must be a whole number from 1 to 60000, not 'soon'\n")
    }

    @Test("--format terraform writes data-action.tf.json into a directory; the secret comes from a variable, never the environment")
    func terraform() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = "a-secret-that-must-not-leak-0123"
        let (status, process) = try await self.run(
            ["--url-base", "https://host.example", "--format", "terraform", "--output", directory.file("tf") + "/"],
            environment: ["SHARED_SECRET": secret, "EXTERNAL_API_URL": "http://127.0.0.1:9/users"],
            in: directory
        )
        #expect(status == 0)
        let text = try String(contentsOfFile: directory.file("tf/data-action.tf.json"), encoding: .utf8)
        let configuration = try TerraformConfiguration(Array(text.utf8))
        #expect(configuration.violations() == [])
        #expect(configuration.variables([:])["url_base"] == "https://host.example")
        #expect(!text.contains(secret))
        #expect(process.standardOutput.isEmpty)
        let (badStatus, bad) = try await self.run(["--url-base", "https://host.example", "--format", "hcl"], in: directory)
        #expect(badStatus == 64)
        #expect(bad.standardOutput.isEmpty)
    }
}
