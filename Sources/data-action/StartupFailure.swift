import Foundation

/// Ends startup: prints one line per problem on standard error and exits non-zero.
enum StartupFailure {
    /// The exit code for bad configuration (EX_CONFIG from sysexits.h).
    static let configurationExitCode: Int32 = 78

    static func exit(problems: [String], code: Int32 = configurationExitCode) -> Never {
        let text = problems.map { "data-action: \($0)\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(code)
    }
}
