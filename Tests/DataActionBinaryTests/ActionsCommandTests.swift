import Foundation
import TestSupport
import Testing

/// The commands with an actions file: check-config checks it (exit 78, a line per problem),
/// actions show prints what the service reads, invoke runs one action, export writes each.
@Suite("Actions file commands", .timeLimit(.minutes(3)))
struct ActionsCommandTests {
    static let example = NginxProcess.repositoryRoot + "/deploy/actions.example.yaml"
    static let credential = "crm-credential-that-must-not-show"
    static let environment = [
        "SHARED_SECRET": "binary-test-secret-0123456789", "ACTIONS_FILE": example, "CRM_URL": "http://127.0.0.1:9",
        "TICKETING_URL": "http://127.0.0.1:9", "CRM_AUTHORIZATION": "Token \(credential)", "TICKETING_AUTHORIZATION": "Token t",
        "HELPDESK_URL": "http://127.0.0.1:9", "HELPDESK_TOKEN_URL": "http://127.0.0.1:9/oauth2/token", "HELPDESK_CLIENT_ID": "helpdesk",
        "HELPDESK_CLIENT_SECRET": credential,
    ]

    func run(
        _ arguments: [String],
        environment: [String: String] = Self.environment,
        in directory: TemporaryDirectory
    ) async throws
        -> ServiceProcess
    {
        let process = try ServiceProcess(arguments: arguments, environment: environment, workingDirectory: directory.path)
        _ = try await process.waitForExit()
        return process
    }

    @Test("check-config lists the upstreams and actions of the file, the credentials redacted")
    func checkConfig() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try await self.run(["check-config"], in: directory)
        #expect(try await process.waitForExit() == 0)
        #expect(process.standardOutput.contains("ACTIONS_FILE=\(Self.example)"))
        #expect(process.standardOutput.contains("CRM_AUTHORIZATION=<redacted>"))
        #expect(process.standardOutput.contains("action customer-by-phone: POST /data-action/customer-by-phone -> GET crm /contacts{?phone}"))
        #expect(process.standardOutput.contains("action create-callback: POST /data-action/create-callback -> POST ticketing /callbacks"))
        #expect(!process.standardOutput.contains(Self.credential))
    }

    @Test(
        "actions show --actions works for each recipe with none of its settings set, and writes a file that reads back the same",
        arguments: ["servicenow", "zendesk", "hubspot", "salesforce", "dynamics365", "shopify", "graphql"]
    )
    func showRecipe(_ recipe: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = NginxProcess.repositoryRoot + "/deploy/recipes/\(recipe).yaml"
        let shown = try await self.run(["actions", "show", "--actions", file], environment: [:], in: directory)
        #expect(try await shown.waitForExit() == 0, "\(shown.standardError)")
        #expect(shown.standardError == "")
        #expect(shown.standardOutput.contains("  \(recipe == "dynamics365" ? "dynamics" : recipe):"), "the upstream is shown")
        let copy = directory.file("shown.yaml")
        try shown.standardOutput.write(toFile: copy, atomically: true, encoding: .utf8)
        let again = try await self.run(["actions", "show", "--actions", copy], environment: [:], in: directory)
        #expect(try await again.waitForExit() == 0)
        #expect(again.standardOutput == shown.standardOutput)
    }

    @Test("a file with problems, or a setting it names that is not set, exits 78 with a line per problem")
    func refused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let broken = directory.file("actions.yaml")
        try "upstreams:\n  u: { url: https://x, timeout: 3 }\nactions:\n  a: { request: { upstream: v, path: / }, outputs: { f: found } }\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let process = try await self.run(["check-config", "--actions", broken], in: directory)
        #expect(try await process.waitForExit() == 78)
        #expect(
            process.standardError == """
                data-action: \(broken):2: upstreams.u.timeout: unknown key; known keys: url, timeoutMs, maxBodyBytes, headers, query, correlationHeader, tls, auth, cache, circuitBreaker
                data-action: \(broken):4: actions.a.request.upstream: no upstream 'v' is declared under 'upstreams'

                """
        )
        var unset = Self.environment
        unset["CRM_AUTHORIZATION"] = nil
        let missing = try await self.run(["serve", "--socket", directory.file("never.sock")], environment: unset, in: directory)
        #expect(try await missing.waitForExit() == 78)
        #expect(
            missing.standardError
                == "data-action: CRM_AUTHORIZATION is not set, in the environment or the env file; upstreams.crm.headers.Authorization needs it\n"
        )
        let absent = try await self.run(["check-config", "--actions", directory.file("absent.yaml")], in: directory)
        #expect(try await absent.waitForExit() == 78)
        #expect(absent.standardError.contains("ACTIONS_FILE: cannot read \(directory.file("absent.yaml"))"))
    }

    @Test("actions show without a file prints the built-in user lookup, which serves the same when given back")
    func showBuiltIn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shown = try await self.run(["actions", "show"], environment: ["EXTERNAL_API_URL": "http://127.0.0.1:9/users"], in: directory)
        #expect(try await shown.waitForExit() == 0)
        #expect(shown.standardOutput.contains("  user-lookup:\n"))
        let file = directory.file("actions.yaml")
        try shown.standardOutput.write(toFile: file, atomically: true, encoding: .utf8)
        let again = try await self.run(["actions", "show", "--actions", file], environment: [:], in: directory)
        #expect(again.standardOutput == shown.standardOutput)
    }

    @Test("invoke --action runs one action; without it, several actions are named")
    func invoke() async throws {
        let stub = try await UpstreamStub()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = Self.environment.merging(["CRM_URL": stub.origin]) { $1 }
        let invoked = try await self.run(
            ["invoke", "--action", "customer-by-phone", #"{"phone":"+15551234567"}"#],
            environment: environment,
            in: directory
        )
        #expect(try await invoked.waitForExit() == 0)
        #expect(invoked.standardOutput.hasPrefix("status: 200\n"))
        #expect(invoked.standardOutput.contains(#""customerName":"Ada Lovelace""#))
        #expect(stub.requests.first?.headers["authorization"] == "Token \(Self.credential)")
        let unnamed = try await self.run(["invoke", #"{"phone":"+15551234567"}"#], environment: environment, in: directory)
        #expect(try await unnamed.waitForExit() == 64)
        #expect(
            unnamed.standardError
                == "data-action: there are several actions (customer-by-phone, account-balance, create-callback, add-ticket-note); choose one with --action NAME\n"
        )
        let unknown = try await self.run(["invoke", "--action", "nope", "{}"], environment: environment, in: directory)
        #expect(try await unknown.waitForExit() == 64)
        try await stub.stop()
    }

    @Test("export writes one importable file per action into --output, or one with --action")
    func export() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let all = try await self.run(["export", "--url-base", "https://host.example", "--output", directory.file("out")], in: directory)
        #expect(try await all.waitForExit() == 0)
        for name in ["customer-by-phone", "account-balance", "create-callback"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("out/\(name).json")))
            let action = try GenesysAction(importFile: Array(data))
            #expect(action.requestURLTemplate == "https://host.example/data-action/\(name)")
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.credential))
        }
        let one = try await self.run(["export", "--url-base", "https://host.example", "--action", "account-balance"], in: directory)
        #expect(try await one.waitForExit() == 0)
        #expect(try GenesysAction(importFile: Array(one.standardOutput.utf8)).name == "Get account balance (data-action)")
        let several = try await self.run(["export", "--url-base", "https://host.example"], in: directory)
        #expect(try await several.waitForExit() == 64)
        #expect(several.standardOutput.isEmpty)
    }
}
