import ArgumentParser
import DataAction
import Logging

/// `data-action invoke`: runs an action once, for an operator at a shell.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run an action once, without FastCGI or authentication, and print the status and JSON.",
        discussion: """
            Uses the same settings and upstreams as 'serve', so it tells whether the service can reach the \
            upstream and what Genesys would receive. Exits 0 when the status is 2xx, 1 otherwise.

            Examples:
              data-action invoke '{"userId":"1"}'
              data-action invoke --actions actions.yaml --action user-by-email '{"email":"Sincere@april.biz"}'
            """
    )

    @Option(name: .long, help: ArgumentHelp("The action to run; needed when there are several.", valueName: "name"))
    var action: String?

    @Argument(help: ArgumentHelp("The request body, as Genesys sends it.", valueName: "json"))
    var body: String

    @OptionGroup var settingsOptions: SettingsOptions

    func run() async throws {
        var reader = await self.settingsOptions.load()
        guard let settings = ServiceSettings.read(from: &reader, workersOverride: 1, actionsFile: self.settingsOptions.actionsFile) else {
            throw StartupFailure(problems: reader.problems)
        }
        let action = try ActionsCommand.chosenAction(self.action, in: settings.core.actions)
        LoggingSetup.bootstrap(level: settings.logLevel)
        settings.warnOfUnsafeChoices(logger: Logger(label: "data-action"))
        let service = DataActionService(configuration: settings.core, logger: Logger(label: "data-action"))
        let response = service.invoke(action: action.name, body: Array(self.body.utf8))!
        print("status: \(response.status)")
        print(String(decoding: response.serializedBody, as: UTF8.self))
        if !(200..<300).contains(response.status) {
            throw ExitCode(1)
        }
    }
}
