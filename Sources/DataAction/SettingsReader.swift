import Actions
import Configuration
import SystemPackage

/// Reads settings from the environment and an optional `.env`-style file, and collects every
/// problem instead of stopping at the first, so startup can say all that is wrong at once.
///
/// The process environment wins over the file, so a systemd `Environment=` line or a shell
/// variable overrides the file. Values in the file may be wrapped in single or double quotes,
/// as in a systemd `EnvironmentFile`.
public struct SettingsReader {
    private let reader: ConfigReader
    /// One line per problem found so far.
    public private(set) var problems: [String] = []
    /// Every key read so far, with the value shown for it: secrets are shown as `<redacted>`.
    public private(set) var effectiveSettings: [(key: String, shown: String)] = []

    /// Keys whose values are secrets: redacted in every listing, never logged.
    public static let secretKeys: Set<String> = [
        "SHARED_SECRET", "SHARED_SECRET_PREVIOUS", "UPSTREAM_AUTHORIZATION", "GENESYS_CLIENT_SECRET",
        // A proxy URL may carry a password; it is listed with the password redacted.
        "HTTPS_PROXY", "HTTP_PROXY",
    ]

    /// Reads the environment and, when given, an env file.
    ///
    /// - Parameters:
    ///   - environmentFile: the file to read; nil reads the environment only.
    ///   - fileMustExist: false lets a missing file pass silently (the default `.env`).
    public static func load(environmentFile: String?, fileMustExist: Bool) async -> SettingsReader {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(secretsSpecifier: .specific(Self.secretKeys))
        ]
        var problems: [String] = []
        if let environmentFile {
            do {
                providers.append(
                    try await EnvironmentVariablesProvider(
                        environmentFilePath: FilePath(environmentFile),
                        allowMissing: !fileMustExist,
                        secretsSpecifier: .specific(Self.secretKeys)
                    )
                )
            } catch {
                problems.append("env file \(environmentFile) cannot be read; check the path and its permissions")
            }
        }
        var settings = SettingsReader(reader: ConfigReader(providers: providers))
        settings.problems = problems
        return settings
    }

    /// Reads the environment only, from the given variables (for tests and `invoke`).
    public static func from(environment: [String: String]) -> SettingsReader {
        SettingsReader(
            reader: ConfigReader(
                provider: EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(Self.secretKeys))
            )
        )
    }

    private init(reader: ConfigReader) {
        self.reader = reader
    }

    /// Records a problem found while checking values.
    public mutating func report(_ problem: String) {
        self.problems.append(problem)
    }

    /// A text value; nil when unset or empty.
    public mutating func string(_ key: String) -> String? {
        self.string(key, isSecret: Self.secretKeys.contains(key))
    }

    /// A text value that is a secret whatever its name (an upstream header an actions file
    /// names): listed as `<redacted>`.
    public mutating func secret(_ key: String) -> String? {
        self.string(key, isSecret: true)
    }

    private mutating func string(_ key: String, isSecret: Bool) -> String? {
        let raw = self.reader.string(forKey: ConfigKey([key]), isSecret: isSecret)
        let value = raw.map(Self.unquoted).flatMap { $0.isEmpty ? nil : $0 }
        let shown = value == nil ? "(not set)" : isSecret ? "<redacted>" : value!
        // A key read twice (the built-in action's settings) is listed once, where it was first read.
        if let index = self.effectiveSettings.firstIndex(where: { $0.key == key }) {
            self.effectiveSettings.remove(at: index)
            self.effectiveSettings.insert((key, shown), at: index)
        } else {
            self.effectiveSettings.append((key, shown))
        }
        return value
    }

    /// A secret text value listed as `shown` makes it, for values only partly secret (a proxy
    /// URL's password).
    public mutating func string(_ key: String, shownAs shown: (String) -> String) -> String? {
        let value = self.string(key)
        if let value {
            self.show(key, as: shown(value))
        }
        return value
    }

    private mutating func show(_ key: String, as shown: String) {
        if let index = self.effectiveSettings.firstIndex(where: { $0.key == key }) {
            self.effectiveSettings[index].shown = shown
        }
    }

    /// A yes/no value: `true`/`false` (also `yes`/`no`, `1`/`0`); `defaultValue` when unset.
    public mutating func boolean(_ key: String, default defaultValue: Bool) -> Bool {
        let text = self.string(key, default: defaultValue ? "true" : "false")
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default:
            self.report("\(key) must be true or false, not '\(text)'")
            return defaultValue
        }
    }

    /// A text value, or `defaultValue` when unset (listed as the default).
    public mutating func string(_ key: String, default defaultValue: String) -> String {
        guard let value = self.string(key) else {
            self.show(key, as: "\(defaultValue) (default)")
            return defaultValue
        }
        return value
    }

    /// A whole number in `range`; `defaultValue` when unset. A value that is not a whole number
    /// in range is a problem, and the default stands in so checking can go on.
    /// A whole-number setting by its one definition.
    public mutating func integer(_ setting: WholeNumberSetting) -> Int {
        self.integer(setting.key, default: setting.defaultValue, range: setting.range)
    }

    public mutating func integer(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        let text = self.string(key, default: "\(defaultValue)")
        guard let value = Int(text), range.contains(value) else {
            self.report("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            return defaultValue
        }
        return value
    }

    /// Removes one pair of matching surrounding quotes.
    static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}
