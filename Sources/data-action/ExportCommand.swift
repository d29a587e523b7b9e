import ArgumentParser
import DataAction
import GenesysCloud

/// `data-action export`: prints the Genesys Cloud action that calls this service.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the Genesys Cloud data action (import file) that calls this service's user lookup.",
        discussion: """
            Import the output in Genesys Cloud under Admin > Integrations > Actions > Import, into a \
            Web Services Data Actions integration whose credential is of type User Defined with a field \
            named as --credential-field (default sharedSecret) holding SHARED_SECRET. The file holds no \
            secret: the action sends 'Authorization: Bearer ${credentials.sharedSecret}'.

            The timeout defaults to UPSTREAM_TIMEOUT_MS (read like 'serve' reads it) rounded up plus \
            5 seconds, and must stay above it and within Genesys' 1–60 seconds.

            Set GENESYS_ORG_ID on the service to accept only your organisation: its id is under \
            Admin > Account Settings > Organization Settings (Organization ID).

            Examples:
              data-action export --url https://data-action.example.com/data-action/user-lookup > user-lookup.json
              data-action export --url https://host/data-action/user-lookup --name "Look up caller" --timeout-seconds 8
            """
    )

    @Option(name: .long, help: ArgumentHelp("The service's public URL, https://HOST/data-action/user-lookup.", valueName: "url"))
    var url: String

    @Option(name: .long, help: ArgumentHelp("The action's name in Genesys.", valueName: "name"))
    var name: String = UserLookupActionExport.defaultName

    @Option(name: .long, help: ArgumentHelp("Seconds Genesys waits before the Timeout path (1–60).", valueName: "seconds"))
    var timeoutSeconds: Int?

    @Option(name: .long, help: ArgumentHelp("The User Defined credential field that holds the shared secret.", valueName: "field"))
    var credentialField: String = UserLookupActionExport.defaultCredentialField

    @Option(name: .long, help: ArgumentHelp("Write the file here instead of standard output.", valueName: "path"))
    var output: String?

    @OptionGroup var settingsOptions: SettingsOptions

    func run() async throws {
        var settings = await self.settingsOptions.load()
        let upstreamTimeout = settings.integer("UPSTREAM_TIMEOUT_MS", default: 5000, range: 1...60_000)
        guard settings.problems.isEmpty else {
            throw StartupFailure(problems: settings.problems)
        }
        let export = UserLookupActionExport(
            url: self.url,
            name: self.name,
            timeoutSeconds: self.timeoutSeconds ?? UserLookupActionExport.defaultTimeoutSeconds(upstreamTimeoutMilliseconds: upstreamTimeout),
            credentialField: self.credentialField
        )
        let problems = export.problems(upstreamTimeoutMilliseconds: upstreamTimeout)
        guard problems.isEmpty else {
            throw StartupFailure(problems: problems, code: ExitCode.validationFailure.rawValue)
        }
        let text = export.document.prettySerialized
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try AtomicFile.write(text, to: output)
        } catch {
            throw StartupFailure("cannot write \(output): \(error)", code: 1)
        }
    }
}
