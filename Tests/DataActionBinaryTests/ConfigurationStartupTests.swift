import Foundation
import TestSupport
import Testing

/// The binary refuses to start with bad configuration: exit 78, one line per problem.
@Suite("Startup configuration", .timeLimit(.minutes(3)))
struct ConfigurationStartupTests {
    static let goodSecret = "binary-test-secret-0123456789"
    static let goodEnvironment = ["SHARED_SECRET": goodSecret, "EXTERNAL_API_URL": "http://127.0.0.1:9/users"]

    func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String, error: String) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try ServiceProcess(arguments: arguments, environment: environment, workingDirectory: directory.path)
        let status = try await process.waitForExit()
        return (status, process.standardOutput, process.standardError)
    }

    @Test(
        "each bad setting is refused with its own line",
        arguments: [
            ([:], "SHARED_SECRET is required"),
            (["SHARED_SECRET": "default_secret"], "SHARED_SECRET is a placeholder"),
            (["SHARED_SECRET": "your_super_secret_key_change_this_in_production"], "SHARED_SECRET is a placeholder"),
            (["SHARED_SECRET": "short-secret"], "SHARED_SECRET is shorter than 16 characters"),
            (["SHARED_SECRET_PREVIOUS": "default_secret"], "SHARED_SECRET_PREVIOUS is a placeholder"),
            (["EXTERNAL_API_URL": ""], "EXTERNAL_API_URL is required"),
            (["EXTERNAL_API_URL": "ftp://example.com/users"], "EXTERNAL_API_URL must be an absolute http or https URL"),
            (["EXTERNAL_API_URL": "/users"], "EXTERNAL_API_URL must be an absolute http or https URL"),
            (["EXTERNAL_API_URL": "https://example.com/users?x=1"], "EXTERNAL_API_URL must not have a query or fragment"),
            (["EXTERNAL_API_URL": "https://user:pw@example.com/users"], "EXTERNAL_API_URL must not carry credentials"),
            (["UPSTREAM_TIMEOUT_MS": "abc"], "UPSTREAM_TIMEOUT_MS must be a whole number from 1 to 60000, not 'abc'"),
            (["UPSTREAM_TIMEOUT_MS": "0"], "UPSTREAM_TIMEOUT_MS must be a whole number"),
            (["MAX_BODY_BYTES": "64k"], "MAX_BODY_BYTES must be a whole number"),
            (["MAX_BODY_BYTES": "131073"], "MAX_BODY_BYTES must be a whole number from 1 to 131072"),
            (["UPSTREAM_MAX_BODY_BYTES": "-1"], "UPSTREAM_MAX_BODY_BYTES must be a whole number"),
            (["WORKERS": "0"], "WORKERS must be a whole number from 1 to 1024"),
            (["SHUTDOWN_GRACE_SECONDS": "ten"], "SHUTDOWN_GRACE_SECONDS must be a whole number"),
            (["LOG_LEVEL": "loud"], "LOG_LEVEL must be one of"),
            (["LOG_GATHER_MS": "5000"], "LOG_GATHER_MS must be a whole number from 0 to 1000"),
            (["METRICS": "maybe"], "METRICS must be true or false, not 'maybe'"),
            (["GENESYS_ORG_ID": "my-org"], "GENESYS_ORG_ID must be a Genesys Cloud organization id"),
        ]
    )
    func refused(overrides: [String: String], expected: String) async throws {
        var environment = Self.goodEnvironment.merging(overrides) { $1 }
        if overrides.isEmpty { environment = [:] }
        let result = try await self.run(["serve", "--socket", "/tmp/never-bound.sock"], environment: environment)
        #expect(result.status == 78)
        #expect(result.error.contains("data-action: \(expected)"))
        #expect(!result.error.contains(Self.goodSecret))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-bound.sock"))
    }

    @Test(
        "check-config never prints a URL's credentials, whatever else is wrong with it",
        arguments: ["https://user:pw-4e1f@example.com/users", "htp//user:pw-4e1f@example.com/users", "https://user:pw-4e1f@example.com/users?x=1"]
    )
    func urlCredentialsNeverShown(url: String) async throws {
        let result = try await self.run(["check-config"], environment: Self.goodEnvironment.merging(["EXTERNAL_API_URL": url]) { $1 })
        #expect(result.status == 78)
        #expect(result.error.contains("data-action: EXTERNAL_API_URL must"))
        #expect(!result.output.contains("pw-4e1f") && !result.error.contains("pw-4e1f"), "\(result.output)\n\(result.error)")
    }

    @Test("every problem is reported at once, one line each")
    func allProblemsAtOnce() async throws {
        let result = try await self.run(
            ["check-config"],
            environment: ["SHARED_SECRET": "short", "EXTERNAL_API_URL": "nope", "WORKERS": "many"]
        )
        #expect(result.status == 78)
        let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("data-action: ") }
        #expect(lines.count == 3)
    }

    @Test("check-config shows the effective settings with secrets redacted")
    func checkConfigRedacts() async throws {
        let result = try await self.run(
            ["check-config"],
            environment: Self.goodEnvironment.merging(["UPSTREAM_AUTHORIZATION": "Token upstream-credential-xyz"]) { $1 }
        )
        #expect(result.status == 0)
        #expect(result.output.contains("SHARED_SECRET=<redacted>"))
        #expect(result.output.contains("UPSTREAM_AUTHORIZATION=<redacted>"))
        #expect(result.output.contains("EXTERNAL_API_URL=http://127.0.0.1:9/users"))
        #expect(result.output.contains("WORKERS=64 (default)"))
        #expect(result.output.contains("LOG_LEVEL=info (default)"))
        #expect(result.output.contains("METRICS=true (default)"))
        #expect(!result.output.contains(Self.goodSecret))
        #expect(!result.output.contains("upstream-credential-xyz"))
    }

    @Test("an env file is read, quotes and all; the environment overrides it")
    func environmentFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("env")
        try """
        # data-action settings
        SHARED_SECRET="\(Self.goodSecret)"
        EXTERNAL_API_URL='http://127.0.0.1:9/from-file'
        WORKERS=12
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await self.run(["check-config", "--env-file", file], environment: ["WORKERS": "7"])
        #expect(result.status == 0)
        #expect(result.output.contains("EXTERNAL_API_URL=http://127.0.0.1:9/from-file"))
        #expect(result.output.contains("WORKERS=7"))
    }

    @Test("a missing env file named on the command line is a problem")
    func missingEnvironmentFile() async throws {
        let result = try await self.run(["check-config", "--env-file", "/nonexistent/env"], environment: Self.goodEnvironment)
        #expect(result.status == 78)
        #expect(result.error.contains("data-action: env file /nonexistent/env cannot be read"))
    }

    @Test("serve with nothing to listen on and no CGI request says what to pass")
    func nothingToListenOn() async throws {
        let result = try await self.run(["serve"], environment: Self.goodEnvironment)
        #expect(result.status == 64)
        #expect(result.error.contains("nothing to listen on"))
    }

    @Test("--version prints the version")
    func version() async throws {
        let result = try await self.run(["--version"], environment: [:])
        #expect(result.status == 0)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }
}
