import Actions
import ArgumentParser
import DataAction

#if canImport(Glibc)
import Glibc
#endif

/// `data-action`: the Genesys Cloud data action endpoint and its operator tools.
@main
struct DataActionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-action",
        abstract: "The endpoint behind a Genesys Cloud web services data action, as a FastCGI responder.",
        discussion: """
            Genesys Cloud POSTs an action's inputs, e.g. {"userId": "1"} to /data-action/user-lookup; data-action \
            checks the bearer secret and the inputs, calls the action's upstream REST API and answers JSON that \
            Architect maps into flow variables. Actions are declared in a YAML file (ACTIONS_FILE or --actions); \
            without one it serves the built-in user lookup from EXTERNAL_API_URL.

            Examples:
              data-action serve --socket /run/data-action/fcgi.sock
              data-action serve --listen 127.0.0.1:9000 --workers 32
              data-action check-config --env-file /etc/data-action/env
              data-action invoke '{"userId":"1"}'
              data-action invoke --actions actions.yaml --action customer-by-phone '{"phone":"+15551234567"}'
              data-action actions show > actions.yaml
              data-action allowlist --input ipranges.json --region us-east-1
              data-action export --url-base https://HOST --output genesys-actions/
              data-action export --url-base https://HOST --format terraform --output genesys-terraform/

            Settings come from the environment and an env file (default ./.env when present); \
            run 'data-action check-config' to see them.
            """,
        version: DataActionVersion.current,
        subcommands: [
            ServeCommand.self, InvokeCommand.self, CheckConfigCommand.self, ActionsCommand.self, AllowlistCommand.self, ExportCommand.self,
        ],
        defaultSubcommand: nil
    )

    /// Runs the command line; a ``StartupFailure`` any command throws ends the process here,
    /// with its lines on standard error and its exit status.
    static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as StartupFailure {
            failure.report()
            Glibc.exit(failure.code)
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// The options every command that reads settings shares.
struct SettingsOptions: ParsableArguments {
    @Option(
        name: .customLong("env-file"),
        help: ArgumentHelp("Read settings from this env file (KEY=value lines). Default: ./.env when present.", valueName: "path")
    )
    var environmentFile: String?

    @Option(
        name: .customLong("actions"),
        help: ArgumentHelp("Serve the actions declared in this YAML file (overrides ACTIONS_FILE).", valueName: "path")
    )
    var actionsFile: String?

    /// The actions as declared, for the commands that need no secret (`export`, `actions show`).
    func loadActions() async throws -> ActionsFile {
        var reader = await self.load()
        guard let file = DataActionConfiguration.readActions(from: &reader, actionsFile: self.actionsFile), reader.problems.isEmpty else {
            throw StartupFailure(problems: reader.problems)
        }
        return file
    }

    /// Loads the settings reader: the environment, then the env file.
    func load() async -> SettingsReader {
        if let environmentFile {
            return await SettingsReader.load(environmentFile: environmentFile, fileMustExist: true)
        }
        return await SettingsReader.load(environmentFile: ".env", fileMustExist: false)
    }
}
