import ArgumentParser
import DataAction

/// `data-action check-config`: validates the settings and shows the effective ones.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the settings and the actions file, and print the effective configuration, secrets redacted.",
        discussion: "Exits 0 when the configuration is valid; otherwise prints one line per problem and exits 78."
    )

    @OptionGroup var settingsOptions: SettingsOptions

    func run() async throws {
        var reader = await self.settingsOptions.load()
        let settings = ServiceSettings.read(from: &reader, workersOverride: nil, actionsFile: self.settingsOptions.actionsFile)
        for (key, shown) in reader.effectiveSettings {
            print("\(key)=\(shown)")
        }
        guard let settings else {
            throw StartupFailure(problems: reader.problems)
        }
        for definition in settings.core.actions.upstreams {
            guard let upstream = settings.core.upstreams[definition.name] else { continue }
            print("upstream \(upstream.name): \(upstream.baseURL)")
            print("upstream proxy for \(upstream.baseURL): \(upstream.proxy.describe(for: upstream.baseURL))")
        }
        for action in settings.core.actions.actions {
            print(
                "action \(action.name): POST \(action.path) -> \(action.request.method.rawValue) \(action.request.upstream) \(action.request.path.source)"
            )
        }
        for warning in settings.core.actions.warnings {
            print("warning: \(warning)")
        }
        if settings.core.upstreams.values.contains(where: { !$0.tls.verify }) {
            print("warning: UPSTREAM_TLS_VERIFY=false: the upstream's certificate is not checked")
        }
        print("configuration OK")
    }
}
