/// When the upstream circuit breaker opens and for how long.
public struct CircuitBreakerSettings: Sendable, Equatable {
    /// Consecutive connect failures or timeouts that open the circuit; 0 turns the breaker off.
    public var failureThreshold: Int
    /// How long an open circuit answers at once before it lets one probe through.
    public var coolDown: Duration

    /// No breaker: every call tries the upstream.
    public static let off = CircuitBreakerSettings(
        failureThreshold: 0,
        coolDown: .seconds(WholeNumberSetting.breakerCoolDownSeconds.defaultValue)
    )

    public init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
    }

    /// True when the breaker can open at all.
    public var isEnabled: Bool { self.failureThreshold > 0 }
}
