import Foundation
import TestSupport
import Testing

@Suite("data-action allowlist", .timeLimit(.minutes(3)))
struct AllowlistCommandTests {
    static func ipRanges(_ entries: [(cidr: String, service: String)]) -> String {
        let entities = entries.map { #"{"cidr":"\#($0.cidr)","service":"\#($0.service)","region":"us-east-1"}"# }
        return #"{"entities":[\#(entities.joined(separator: ","))]}"#
    }

    func run(_ arguments: [String], input: String, in directory: TemporaryDirectory) async throws -> ServiceProcess {
        let process = try ServiceProcess(
            arguments: ["allowlist"] + arguments,
            environment: [:],
            standardInput: Array(input.utf8),
            workingDirectory: directory.path
        )
        _ = try await process.waitForExit()
        return process
    }

    @Test("writes the list, then reports what a new answer added and removed")
    func writeAndDiff() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.file("genesys-allowlist.conf")
        let first = try await self.run(
            ["--input", "-", "--output", output],
            input: Self.ipRanges([("1.1.1.0/24", "data-actions"), ("2.2.2.0/24", "data-actions"), ("3.3.3.0/24", "smtp")]),
            in: directory
        )
        #expect(first.standardOutput.contains("+ 1.1.1.0/24\n+ 2.2.2.0/24\n"))
        let second = try await self.run(
            ["--input", "-", "--output", output],
            input: Self.ipRanges([("2.2.2.0/24", "data-actions"), ("4.4.4.0/22", "data-actions")]),
            in: directory
        )
        #expect(second.standardOutput.contains("+ 4.4.4.0/22\n- 1.1.1.0/24\n"))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.hasSuffix("allow 2.2.2.0/24;\nallow 4.4.4.0/22;\n"))
        #expect(!text.contains("3.3.3.0"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["genesys-allowlist.conf"])
    }

    @Test(
        "--format writes each server's syntax, reports what changed against the file in that syntax, and names the reload",
        arguments: [
            ("apache", "Require ip 2.2.2.0/24\nRequire ip 4.4.4.0/22\n", "apache2ctl configtest && systemctl reload apache2"),
            (
                "lighttpd", "else $HTTP[\"remoteip\"] == \"4.4.4.0/22\" { }\nelse { url.access-deny = (\"\") }\n",
                "lighttpd -tt -f /etc/lighttpd/lighttpd.conf && systemctl reload lighttpd"
            ),
            (
                "caddy", "@outside_genesys not remote_ip 2.2.2.0/24 4.4.4.0/22\n",
                "caddy validate --config /etc/caddy/Caddyfile && systemctl reload caddy"
            ),
            ("nginx", "allow 2.2.2.0/24;\nallow 4.4.4.0/22;\n", "nginx -t && systemctl reload nginx"),
        ]
    )
    func formats(format: String, ending: String, reload: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.file("allowlist")
        let arguments = ["--input", "-", "--format", format, "--output", output]
        _ = try await self.run(arguments, input: Self.ipRanges([("1.1.1.0/24", "data-actions"), ("2.2.2.0/24", "data-actions")]), in: directory)
        let second = try await self.run(
            arguments,
            input: Self.ipRanges([("2.2.2.0/24", "data-actions"), ("4.4.4.0/22", "data-actions")]),
            in: directory
        )
        #expect(try await second.waitForExit() == 0)
        #expect(second.standardOutput.contains("+ 4.4.4.0/22\n- 1.1.1.0/24\n"), "\(second.standardOutput)")
        #expect(second.standardOutput.contains("(1 added, 1 removed); now: \(reload)"))
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasSuffix(ending))
    }

    @Test("an unknown --format is refused with the formats there are")
    func unknownFormat() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try await self.run(["--input", "-", "--format", "iis"], input: "{}", in: directory)
        #expect(try await process.waitForExit() == 64)
        #expect(process.standardError.contains("'nginx', 'apache', 'lighttpd' or 'caddy'"), "\(process.standardError)")
    }

    @Test(
        "an empty or invalid answer exits non-zero and keeps the old file",
        arguments: [#"{"entities":[]}"#, "not json", #"{"entities":[{"cidr":"1.2.3.4/40","service":"data-actions","region":"r"}]}"#]
    )
    func refusal(input: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.file("genesys-allowlist.conf")
        try "allow 9.9.9.0/24;\n".write(toFile: output, atomically: true, encoding: .utf8)
        let process = try await self.run(["--input", "-", "--output", output], input: input, in: directory)
        #expect(try await process.waitForExit() == 1)
        #expect(process.standardError.contains("left as it was"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "allow 9.9.9.0/24;\n")
    }

    @Test("--fetch logs in with the OAuth client, reads /api/v2/ipranges and writes the list")
    func fetch() async throws {
        let stub = try await UpstreamStub()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let base = stub.baseURL.replacingOccurrences(of: "/users", with: "")
        let output = directory.file("genesys-allowlist.conf")
        func fetch(secret: String) async throws -> ServiceProcess {
            let process = try ServiceProcess(
                arguments: ["allowlist", "--fetch", "example.invalid", "--login-url", base, "--api-url", base, "--output", output],
                environment: ["GENESYS_CLIENT_ID": UpstreamStub.genesysClient.id, "GENESYS_CLIENT_SECRET": secret],
                workingDirectory: directory.path
            )
            _ = try await process.waitForExit()
            return process
        }
        let fetched = try await fetch(secret: UpstreamStub.genesysClient.secret)
        #expect(try await fetched.waitForExit() == 0, "\(fetched.standardError)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("from \(base)/api/v2/ipranges"))
        #expect(text.hasSuffix("allow 127.0.0.1/32;\n"))

        let refused = try await fetch(secret: "wrong-secret-value-0000")
        #expect(try await refused.waitForExit() == 1)
        #expect(refused.standardError.contains("the Genesys login refused the client (invalid_client)"))
        #expect(!refused.standardError.contains("wrong-secret-value-0000"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == text)
        try await stub.stop()
    }
}
