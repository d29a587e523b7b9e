import Actions
import DataAction
import Logging
import TestSupport
import Testing
import UpstreamHTTP

/// The upstream circuit breaker against a real upstream client, a port with nothing on it,
/// and a stub that comes up on that port; the cool-down runs on a clock the tests move.
@Suite("Upstream circuit breaker", .timeLimit(.minutes(3)))
struct CircuitBreakerTests {
    /// An upstream behind a breaker for `port`, and what it logged.
    struct Setup {
        let upstream: Upstream
        let logs: LogCapture
        let clock: ManualClock

        init(port: Int, failureThreshold: Int = 3) {
            self.clock = ManualClock()
            self.logs = LogCapture()
            let settings = UpstreamSettings(
                name: "users",
                baseURL: "http://127.0.0.1:\(port)/users",
                timeoutMilliseconds: 5000,
                maxBodyBytes: 1 << 20
            )
            let clock = self.clock
            let breaker = UpstreamCircuitBreaker(
                settings: CircuitBreakerSettings(failureThreshold: failureThreshold, coolDown: .seconds(10)),
                upstream: settings.name,
                logger: self.logs.logger(),
                now: { clock.now }
            )
            self.upstream = Upstream(settings: settings, exchange: UpstreamClient(settings: settings), breaker: breaker, cache: nil)
        }

        func lookUp() async throws -> ActionResult {
            let upstream = self.upstream
            let request = Upstream.Request(method: .get, url: upstream.settings.baseURL + "/1", body: nil)
            return await onThread { upstream.result(of: request, keyPrefix: "user-lookup\u{0}GET ", rule: ActionResultRule()).0 }
        }

        func lines(containing text: String) -> Int {
            self.logs.all.count { $0.contains(text) }
        }
    }

    static func isCircuitOpen(_ result: ActionResult) -> Bool {
        if case .failed(.circuitOpen) = result { return true }
        return false
    }

    @Test("the upstream goes down: after N refused connections calls fail at once; it comes back: one probe closes the circuit")
    func downAndBack() async throws {
        let port = try await ClosedPort.find()
        let setup = Setup(port: port)
        for _ in 0..<3 {
            guard case .failed(.unreachable) = try await setup.lookUp() else {
                Issue.record("a closed port should be unreachable")
                return
            }
        }
        #expect(setup.lines(containing: "upstream circuit open: 3 consecutive failures") == 1)

        let stub = try await UpstreamStub(port: port)
        #expect(Self.isCircuitOpen(try await setup.lookUp()))
        #expect(Self.isCircuitOpen(try await setup.lookUp()))
        #expect(stub.requests.isEmpty, "an open circuit does not call the upstream")

        setup.clock.advance(by: .seconds(11))
        guard case .found = try await setup.lookUp() else {
            Issue.record("the probe should reach the upstream that came back")
            return
        }
        guard case .found = try await setup.lookUp() else {
            Issue.record("a closed circuit calls the upstream")
            return
        }
        #expect(stub.requests.count == 2)
        #expect(setup.lines(containing: "half-open") == 1)
        #expect(setup.lines(containing: "upstream circuit closed") == 1)
        #expect(setup.logs.all.count == 3, "each change of state is logged once: \(setup.logs.all)")
        try await stub.stop()
    }

    @Test("its state reads closed, open, half-open once the cool-down is over, and closed after the probe; only opening says it opened")
    func state() {
        let clock = ManualClock()
        let breaker = UpstreamCircuitBreaker(
            settings: CircuitBreakerSettings(failureThreshold: 2, coolDown: .seconds(10)),
            upstream: "crm",
            logger: LogCapture().logger(),
            now: { clock.now }
        )
        let failure = ActionResult.failed(.timedOut)
        #expect(breaker.state == .closed)
        #expect(breaker.record(failure) == false)
        #expect(breaker.state == .closed)
        #expect(breaker.record(failure) == true, "the second failure opens it")
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(10))
        #expect(breaker.state == .halfOpen, "the next call is the probe")
        #expect(breaker.admit() == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.record(.notFound(upstreamStatus: 404)) == false)
        #expect(breaker.state == .closed)
    }

    @Test("a probe that fails opens the circuit again for another cool-down")
    func probeFails() async throws {
        let setup = Setup(port: try await ClosedPort.find(), failureThreshold: 2)
        _ = try await setup.lookUp()
        _ = try await setup.lookUp()
        setup.clock.advance(by: .seconds(11))
        guard case .failed(.unreachable) = try await setup.lookUp() else {
            Issue.record("the probe should try the upstream")
            return
        }
        #expect(setup.lines(containing: "upstream circuit open again") == 1)
        #expect(Self.isCircuitOpen(try await setup.lookUp()))
    }

    @Test("timeouts open it too, and then the service answers 504 at once; the log says why")
    func timeouts() async throws {
        try await ServiceHarness.with(timeoutMilliseconds: 300, breaker: CircuitBreakerSettings(failureThreshold: 2, coolDown: .seconds(600))) {
            harness in
            #expect(await harness.lookUp(#"{"userId":"slow"}"#).status == 504)
            #expect(await harness.lookUp(#"{"userId":"slow"}"#).status == 504)
            let rejected = await harness.lookUp(#"{"userId":"1"}"#)
            #expect(rejected.status == 504)
            #expect(rejected.errorMessage == "The upstream did not answer in time.")
            // The slow requests may still be arriving at the stub; user 1's must never.
            #expect(!harness.stub.requests.contains { $0.uri == "/users/1" })
            #expect(harness.logs.all.last?.contains("circuit open after repeated failures (deadline passed)") == true)
            #expect(harness.logs.all.count { $0.contains("upstream circuit open: 2 consecutive failures") } == 1)
        }
    }

    @Test("an upstream that answers errors is up: 5xx and invalid answers never open the circuit")
    func answersDoNotOpen() async throws {
        try await ServiceHarness.with(breaker: CircuitBreakerSettings(failureThreshold: 2, coolDown: .seconds(600))) { harness in
            for userId in ["error", "notjson", "error", "notjson"] {
                #expect(await harness.lookUp(#"{"userId":"\#(userId)"}"#).status == 502)
            }
            #expect(harness.stub.requests.count == 4)
            #expect(!harness.logs.all.contains { $0.contains("upstream circuit") })
        }
    }

    @Test("on by default (5 failures, 10 s); UPSTREAM_BREAKER_FAILURES=0 turns it off; bad values are refused")
    func settings() {
        let base = ["SHARED_SECRET": "0123456789abcdef0123", "EXTERNAL_API_URL": "http://127.0.0.1/users"]
        var defaults = SettingsReader.from(environment: base)
        #expect(
            DataActionConfiguration.read(from: &defaults, asCGI: false)?.actions.upstream(named: "users")?.breaker
                == CircuitBreakerSettings(failureThreshold: 5, coolDown: .seconds(10))
        )
        var off = SettingsReader.from(environment: base.merging(["UPSTREAM_BREAKER_FAILURES": "0"]) { $1 })
        #expect(DataActionConfiguration.read(from: &off, asCGI: false)?.actions.upstream(named: "users")?.breaker.isEnabled == false)
        var bad = SettingsReader.from(
            environment: base.merging(["UPSTREAM_BREAKER_FAILURES": "-1", "UPSTREAM_BREAKER_COOLDOWN_SECONDS": "0"]) { $1 }
        )
        #expect(DataActionConfiguration.read(from: &bad, asCGI: false) == nil)
        #expect(bad.problems.count == 2)
    }
}
