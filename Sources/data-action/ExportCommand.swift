import ArgumentParser
import DataAction
import FoundationEssentials
import GenesysCloud

#if canImport(Glibc)
import Glibc
#endif

/// `data-action export`: prints the Genesys Cloud actions that call this service.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the Genesys Cloud data actions (import files) that call this service's actions.",
        discussion: """
            Import each file in Genesys Cloud under Admin > Integrations > Actions > Import, into a Web \
            Services Data Actions integration whose credential is of type User Defined with a field named \
            as --credential-field (default sharedSecret) holding SHARED_SECRET. The files hold no secret: \
            the actions send 'Authorization: Bearer ${credentials.sharedSecret}'.

            With one action (or --action), the file goes to standard output or to --output FILE; with \
            several, or when --output is a directory or ends with '/', the directory receives NAME.json \
            per action.

            --format terraform writes CX as Code instead (provider mypurecloud/genesyscloud), in Terraform's \
            JSON syntax: the User Defined credential (its secret from the sensitive variable shared_secret), \
            the integration, and every action with the same contracts and mapping as the import files; \
            variables url_base, integration_name and credential_name; outputs for the ids. It goes to \
            standard output, --output FILE, or --output DIRECTORY/ as data-action.tf.json.

            An action's timeout defaults to its upstream's timeout rounded up plus 5 seconds, and must \
            stay above it and within Genesys' 1–60 seconds.

            Set GENESYS_ORG_ID on the service to accept only your organisation: its id is under \
            Admin > Account Settings > Organization Settings (Organization ID).

            Examples:
              data-action export --url-base https://data-action.example.com > user-lookup.json
              data-action export --url-base https://HOST --actions actions.yaml --output genesys-actions/
              data-action export --url-base https://HOST --action user-lookup --name "Look up caller" --timeout-seconds 8
              data-action export --url-base https://HOST --format terraform --output genesys-terraform/
            """
    )

    /// What the export is written as.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// One import file per action (Admin > Integrations > Actions > Import).
        case genesys
        /// CX as Code: the credential, the integration and every action, in one `.tf.json`.
        case terraform
    }

    @Option(name: .long, help: ArgumentHelp("The service's public base URL, https://HOST.", valueName: "url"))
    var urlBase: String

    @Option(name: .long, help: ArgumentHelp("genesys (import files, the default) or terraform (CX as Code).", valueName: "format"))
    var format: Format = .genesys

    @Option(name: .long, help: ArgumentHelp("Export only this action.", valueName: "name"))
    var action: String?

    @Option(name: .long, help: ArgumentHelp("The action's name in Genesys (one action only).", valueName: "name"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Seconds Genesys waits before the Timeout path (1–60).", valueName: "seconds"))
    var timeoutSeconds: Int?

    @Option(name: .long, help: ArgumentHelp("The User Defined credential field that holds the shared secret.", valueName: "field"))
    var credentialField: String = GenesysActionExport.defaultCredentialField

    @Option(name: .long, help: ArgumentHelp("Write to this file (one action) or directory (several, or a path ending in '/').", valueName: "path"))
    var output: String?

    @OptionGroup var settingsOptions: SettingsOptions

    func run() async throws {
        let file = try await self.settingsOptions.loadActions()
        let actions =
            if let name = self.action {
                [try ActionsCommand.chosenAction(name, in: file)]
            } else {
                file.actions
            }
        if actions.count > 1 && self.name != nil {
            throw StartupFailure("--name names one action; choose it with --action NAME", code: ExitCode.validationFailure.rawValue)
        }
        var base = self.urlBase
        while base.hasSuffix("/") { base.removeLast() }
        var exports: [GenesysActionExport] = []
        var problems: [String] = []
        for action in actions {
            let upstreamTimeout = file.upstream(named: action.request.upstream)?.timeoutMilliseconds ?? 0
            let export = GenesysActionExport(
                action: action,
                url: base + action.path,
                name: self.name ?? GenesysActionExport.defaultName(for: action),
                timeoutSeconds: self.timeoutSeconds
                    ?? GenesysActionExport.defaultTimeoutSeconds(upstreamTimeoutMilliseconds: upstreamTimeout),
                credentialField: self.credentialField
            )
            for problem in export.problems(upstreamTimeoutMilliseconds: upstreamTimeout) where !problems.contains(problem) {
                problems.append(problem)
            }
            exports.append(export)
        }
        guard problems.isEmpty else {
            throw StartupFailure(problems: problems, code: ExitCode.validationFailure.rawValue)
        }
        switch self.format {
        case .genesys:
            try self.write(exports)
        case .terraform:
            let text = GenesysTerraformExport(actions: exports, urlBase: base).document.prettySerialized
            guard let output else {
                print(text, terminator: "")
                return
            }
            let toDirectory = Self.namesDirectory(output)
            if toDirectory { try Self.createDirectory(output) }
            try Self.write(text, to: toDirectory ? Self.path(GenesysTerraformExport.fileName, in: output) : output)
        }
    }

    private func write(_ exports: [GenesysActionExport]) throws {
        let toDirectory = exports.count > 1 || self.output.map(Self.namesDirectory) ?? false
        if !toDirectory {
            let text = exports[0].document.prettySerialized
            guard let output else {
                print(text, terminator: "")
                return
            }
            try Self.write(text, to: output)
            return
        }
        guard let output else {
            throw StartupFailure(
                "there are several actions; pass --output DIRECTORY for one file each, or --action NAME for one",
                code: ExitCode.validationFailure.rawValue
            )
        }
        try Self.createDirectory(output)
        for export in exports {
            try Self.write(export.document.prettySerialized, to: Self.path(export.action.name + ".json", in: output))
        }
    }

    private static func path(_ name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StartupFailure("cannot create the directory \(path): \(error)", code: 1)
        }
    }

    /// True when `path` ends with '/' or is a directory already.
    private static func namesDirectory(_ path: String) -> Bool {
        var information = stat()
        return path.hasSuffix("/") || (stat(path, &information) == 0 && information.st_mode & S_IFMT == S_IFDIR)
    }

    private static func write(_ text: String, to path: String) throws {
        do {
            try AtomicFile.write(text, to: path)
        } catch {
            throw StartupFailure("cannot write \(path): \(error)", code: 1)
        }
    }
}
