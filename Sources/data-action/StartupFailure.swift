/// What stops a command before it can do its job: one line per problem on standard error, and
/// an exit status. Commands throw it; `DataActionCommand.main()` reports it and exits.
struct StartupFailure: Error {
    /// The exit code for bad configuration (EX_CONFIG from sysexits.h).
    static let configurationExitCode: Int32 = 78

    var problems: [String]
    var code: Int32

    init(problems: [String], code: Int32 = Self.configurationExitCode) {
        self.problems = problems
        self.code = code
    }

    init(_ problem: String, code: Int32) {
        self.init(problems: [problem], code: code)
    }

    /// Writes the problems, one `data-action: …` line each, to standard error.
    func report() {
        let text = Array(self.problems.map { "data-action: \($0)\n" }.joined().utf8)
        text.withUnsafeBytes { StandardErrorWriter.shared.write($0) }
    }
}
