import ArgumentParser
import DataAction
import Logging

/// `data-action invoke`: runs the lookup once, for an operator at a shell.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run the user lookup once, without FastCGI or authentication, and print the status and JSON.",
        discussion: """
            Uses the same settings and upstream as 'serve', so it tells whether the service can reach the user \
            directory and what Genesys would receive. Exits 0 when the status is 2xx, 1 otherwise.

            Example:
              data-action invoke '{"userId":"1"}'
            """
    )

    @Argument(help: ArgumentHelp("The request body, as Genesys sends it.", valueName: "json"))
    var body: String

    @OptionGroup var settingsOptions: SettingsOptions

    func run() async throws {
        var reader = await self.settingsOptions.load()
        guard let settings = ServiceSettings.read(from: &reader, workersOverride: 1) else {
            throw StartupFailure(problems: reader.problems)
        }
        LoggingSetup.bootstrap(level: settings.logLevel)
        settings.warnOfUnsafeChoices(logger: Logger(label: "data-action"))
        let directory = HTTPUserDirectory(settings: settings.core.upstream)
        let service = DataActionService(configuration: settings.core, directory: directory, logger: Logger(label: "data-action"))
        let response = service.invoke(body: Array(self.body.utf8))
        print("status: \(response.status)")
        print(String(decoding: response.body.serialized, as: UTF8.self))
        if !(200..<300).contains(response.status) {
            throw ExitCode(1)
        }
    }
}
