import Actions
import DataAction
import JSON
import TestSupport
import Testing

/// deploy/actions.schema.json, which editors validate actions files with, accepts the shipped
/// samples and what `actions show` writes, and refuses what the service refuses.
@Suite("Actions file schema", .timeLimit(.minutes(3)))
struct ActionsSchemaTests {
    static func schema() throws -> JSONValue {
        try JSONValue.parse(Array(try ActionsFileTests.text("deploy/actions.schema.json").utf8))
    }

    static func violations(_ yaml: String) throws -> [String] {
        let (document, problems) = ActionsFile.json(yaml: yaml, source: "test.yaml")
        try #require(problems == [])
        return try JSONSchemaDraft04.violations(of: try Self.schema(), by: try #require(document))
    }

    @Test("the sample files and what actions show writes of them validate", arguments: ActionsFileTests.samples)
    func samplesValidate(path: String) throws {
        let text = try ActionsFileTests.text(path)
        #expect(try Self.violations(text) == [])
        let shown = try #require(ActionsFile.parse(yaml: text, source: path, defaults: .init()).file).yaml
        #expect(try Self.violations(shown) == [])
    }

    @Test(
        "what the service refuses, the schema refuses too",
        arguments: [
            ("upstreams: {}\nactions: {}", "/actions: fewer than 1 members"),
            ("upstreams: {}\nactions: {}\nextra: 1", "/extra: not allowed (additionalProperties is false)"),
            ("upstreams:\n  u: { url: https://x, colour: red }\nactions: {}", "/upstreams/u/colour: not allowed (additionalProperties is false)"),
            ("upstreams:\n  u: { url: { env: lower } }\nactions: {}", "/upstreams/u/url: matches 0 of the oneOf schemas, not exactly one"),
            (
                "upstreams: {}\nactions:\n  a: { request: { upstream: u, path: /, method: TRACE }, outputs: { f: found } }",
                "/actions/a/request/method: not one of the enum values"
            ),
            (
                "upstreams: {}\nactions:\n  a: { inputs: { x: bool }, request: { upstream: u, path: / }, outputs: { f: found } }",
                "/actions/a/inputs/x: matches 0 of the oneOf schemas, not exactly one"
            ),
            (
                "upstreams: {}\nactions:\n  a: { request: { upstream: u, path: / }, outputs: { f: name } }",
                "/actions/a/outputs/f: matches 0 of the oneOf schemas, not exactly one"
            ),
            ("upstreams: {}\nactions:\n  a: { request: { upstream: u, path: / } }", "/actions/a/outputs: required but missing"),
        ]
    )
    func refuses(yaml: String, violation: String) throws {
        #expect(try Self.violations(yaml).contains(violation))
    }

    @Test(
        "the schema's defaults and bounds are the code's",
        arguments: [
            ("timeoutMs", WholeNumberSetting.upstreamTimeoutMilliseconds),
            ("maxBodyBytes", .upstreamMaxBodyBytes),
            ("cache.ttlSeconds", .cacheTTLSeconds),
            ("cache.notFoundTtlSeconds", .cacheNotFoundTTLSeconds),
            ("cache.maxEntries", .cacheMaxEntries),
            ("circuitBreaker.failures", .breakerFailures),
            ("circuitBreaker.coolDownSeconds", .breakerCoolDownSeconds),
        ]
    )
    func defaults(key: String, setting: WholeNumberSetting) throws {
        var node = try #require(try Self.schema().objectValue?["definitions"]?.objectValue?["upstream"]?.objectValue)
        for step in key.split(separator: ".") {
            node = try #require(node["properties"]?.objectValue?[String(step)]?.objectValue, "\(step) in \(key)")
        }
        #expect(node["default"] == .integer(Int64(setting.defaultValue)), "\(key) default")
        #expect(node["minimum"] == .integer(Int64(setting.range.lowerBound)), "\(key) minimum")
        #expect(node["maximum"] == .integer(Int64(setting.range.upperBound)), "\(key) maximum")
    }

    @Test("the README's settings table gives each default the code has")
    func readmeDefaults() throws {
        let readme = try ActionsFileTests.text("README.md")
        let settings: [WholeNumberSetting] = [
            .upstreamTimeoutMilliseconds, .upstreamMaxBodyBytes, .breakerFailures, .breakerCoolDownSeconds, .cacheTTLSeconds,
            .cacheNotFoundTTLSeconds, .cacheMaxEntries, .requestMaxBodyBytes,
        ]
        for setting in settings {
            #expect(readme.contains("| `\(setting.key)` | `\(setting.defaultValue)`"), "\(setting.key) = \(setting.defaultValue) in the README")
        }
    }
}
