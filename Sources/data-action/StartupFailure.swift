#if canImport(Glibc)
import Glibc
#endif

/// Ends startup: prints one line per problem on standard error and exits non-zero.
enum StartupFailure {
    /// The exit code for bad configuration (EX_CONFIG from sysexits.h).
    static let configurationExitCode: Int32 = 78

    static func exit(problems: [String], code: Int32 = configurationExitCode) -> Never {
        let text = Array(problems.map { "data-action: \($0)\n" }.joined().utf8)
        var written = 0
        while written < text.count {
            let count = text[written...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            written += count
        }
        Glibc.exit(code)
    }
}
