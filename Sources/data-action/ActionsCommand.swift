import Actions
import ArgumentParser
import DataAction

/// `data-action actions`: what the service serves.
struct ActionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actions",
        abstract: "Show the actions the service serves.",
        subcommands: [Show.self]
    )

    /// `data-action actions show`: the effective actions, as an actions file.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the effective actions as an actions file (YAML), secrets as the settings that hold them.",
            discussion: """
                Without ACTIONS_FILE this is the built-in user lookup, the place to start your own file:
                  data-action actions show > /etc/data-action/actions.yaml
                """
        )

        @OptionGroup var settingsOptions: SettingsOptions

        func run() async throws {
            let file = try await self.settingsOptions.loadActions()
            print(file.yaml, terminator: "")
        }
    }

    /// The action `name` names, or the only one there is.
    static func chosenAction(_ name: String?, in file: ActionsFile) throws -> ActionDefinition {
        let names = file.actions.map(\.name).joined(separator: ", ")
        guard let name else {
            guard file.actions.count == 1 else {
                throw StartupFailure("there are several actions (\(names)); choose one with --action NAME", code: 64)
            }
            return file.actions[0]
        }
        guard let action = file.action(named: name) else {
            throw StartupFailure("no action '\(name)'; the actions are: \(names)", code: 64)
        }
        return action
    }
}
