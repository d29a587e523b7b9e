import Actions
import DataAction
import TestSupport
import Testing

/// The opt-in cache in front of the real upstream client and the upstream stub, on a
/// clock the tests move, so expiry needs no waiting.
@Suite("Lookup cache", .timeLimit(.minutes(3)))
struct ActionResultCacheTests {
    static func cache(found: Int = 60, notFound: Int = 0, maxEntries: Int = 100, clock: ManualClock = ManualClock()) -> ActionResultCache {
        ActionResultCache(
            settings: CacheSettings(foundTTL: .seconds(found), notFoundTTL: .seconds(notFound), maxEntries: maxEntries),
            now: { clock.now }
        )
    }

    @Test("concurrent misses for one user make one upstream request; the log says miss once, then coalesced or hit")
    func singleFlight() async throws {
        try await ServiceHarness.with(cache: Self.cache()) { harness in
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask { await harness.lookUp(#"{"userId":"\#(UpstreamStub.SpecialUser.slow)"}"#).status }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 16))
            #expect(harness.stub.requests.count == 1)
            let lines = harness.logs.all
            #expect(lines.count(where: { $0.contains("cache=miss") }) == 1)
            #expect(lines.count(where: { $0.contains("cache=coalesced") || $0.contains("cache=hit") }) == 15)
        }
    }

    @Test("a found user is answered from memory until the TTL passes, then asked again")
    func expiry() async throws {
        let clock = ManualClock()
        try await ServiceHarness.with(cache: Self.cache(found: 60, clock: clock)) { harness in
            let first = await harness.lookUp(#"{"userId":"1"}"#)
            clock.advance(by: .seconds(59))
            let second = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(first.body == second.body)
            #expect(harness.stub.requests.count == 1)
            #expect(harness.logs.all.last?.contains("cache=hit") == true)
            #expect(harness.logs.all.last?.contains("upstreamMs") == false)
            clock.advance(by: .seconds(2))
            _ = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(harness.stub.requests.count == 2)
            #expect(harness.logs.all.last?.contains("cache=miss") == true)
        }
    }

    @Test("a 404 is remembered only with CACHE_NEGATIVE_TTL_SECONDS, for that long")
    func notFound() async throws {
        try await ServiceHarness.with(cache: Self.cache(found: 60, notFound: 0)) { harness in
            _ = await harness.lookUp(#"{"userId":"999"}"#)
            _ = await harness.lookUp(#"{"userId":"999"}"#)
            #expect(harness.stub.requests.count == 2)
        }
        let clock = ManualClock()
        try await ServiceHarness.with(cache: Self.cache(found: 0, notFound: 30, clock: clock)) { harness in
            let first = await harness.lookUp(#"{"userId":"999"}"#)
            let second = await harness.lookUp(#"{"userId":"999"}"#)
            #expect(first.outputs == ["userFound": .bool(false)])
            #expect(second.outputs == ["userFound": .bool(false)])
            #expect(harness.stub.requests.count == 1)
            clock.advance(by: .seconds(31))
            _ = await harness.lookUp(#"{"userId":"999"}"#)
            #expect(harness.stub.requests.count == 2)
            _ = await harness.lookUp(#"{"userId":"1"}"#)
            _ = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(harness.stub.requests.count == 4, "found users are not cached with CACHE_TTL_SECONDS=0")
        }
    }

    @Test("past CACHE_MAX_ENTRIES the least recently used user is forgotten")
    func eviction() async throws {
        try await ServiceHarness.with(cache: Self.cache(maxEntries: 2)) { harness in
            let one = #"{"userId":"1"}"#
            let sparse = #"{"userId":"\#(UpstreamStub.SpecialUser.missingFields)"}"#
            let unicode = #"{"userId":"\#(UpstreamStub.SpecialUser.nonASCII)"}"#
            _ = await harness.lookUp(one)
            _ = await harness.lookUp(sparse)
            _ = await harness.lookUp(one)  // now the most recent; sparse is the least
            _ = await harness.lookUp(unicode)  // evicts sparse
            #expect(harness.stub.requests.count == 3)
            _ = await harness.lookUp(one)
            _ = await harness.lookUp(unicode)
            #expect(harness.stub.requests.count == 3)
            _ = await harness.lookUp(sparse)
            #expect(harness.stub.requests.count == 4)
            #expect(harness.stub.requests.map(\.uri).last == "/users/sparse")
        }
    }

    @Test(
        "errors, timeouts, 5xx and invalid answers are never cached",
        arguments: [UpstreamStub.SpecialUser.serverError, UpstreamStub.SpecialUser.slow, UpstreamStub.SpecialUser.notJSON]
    )
    func failuresNotCached(userId: String) async throws {
        // Only the slow user needs a deadline shorter than its 1-second answer; the others keep
        // the default, so a loaded machine's first connection cannot turn them into timeouts.
        let timeout = userId == UpstreamStub.SpecialUser.slow ? 500 : 5000
        try await ServiceHarness.with(timeoutMilliseconds: timeout, cache: Self.cache(found: 60, notFound: 60)) { harness in
            let first = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            let second = await harness.lookUp(#"{"userId":"\#(userId)"}"#)
            #expect(first.status >= 502)
            #expect(second.status == first.status)
            // Each call asked the upstream again: the log says miss twice. (For the slow user
            // the stub's request count is not asserted: on a loaded machine the second,
            // cancelled-at-500-ms call may not reach the stub before its deadline.)
            #expect(harness.logs.all.count(where: { $0.contains("cache=miss") }) == 2)
            if userId != UpstreamStub.SpecialUser.slow {
                #expect(harness.stub.requests.count == 2)
            }
        }
    }

    @Test("the cache is off unless a TTL is set; the settings are checked at startup")
    func settings() {
        var defaults = SettingsReader.from(environment: ["SHARED_SECRET": "0123456789abcdef0123", "EXTERNAL_API_URL": "http://127.0.0.1/users"])
        #expect(DataActionConfiguration.read(from: &defaults, asCGI: false)?.actions.upstream(named: "users")?.cache.isEnabled == false)
        var on = SettingsReader.from(
            environment: [
                "SHARED_SECRET": "0123456789abcdef0123", "EXTERNAL_API_URL": "http://127.0.0.1/users", "CACHE_TTL_SECONDS": "30",
                "CACHE_NEGATIVE_TTL_SECONDS": "5", "CACHE_MAX_ENTRIES": "500",
            ]
        )
        #expect(
            DataActionConfiguration.read(from: &on, asCGI: false)?.actions.upstream(named: "users")?.cache
                == CacheSettings(foundTTL: .seconds(30), notFoundTTL: .seconds(5), maxEntries: 500)
        )
        var bad = SettingsReader.from(
            environment: [
                "SHARED_SECRET": "0123456789abcdef0123", "EXTERNAL_API_URL": "http://127.0.0.1/users", "CACHE_TTL_SECONDS": "-1",
                "CACHE_MAX_ENTRIES": "0",
            ]
        )
        #expect(DataActionConfiguration.read(from: &bad, asCGI: false) == nil)
        #expect(bad.problems.count == 2)
    }
}
