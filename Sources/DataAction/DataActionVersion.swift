/// The version of data-action, shown by `--version` and sent upstream in `User-Agent`.
public enum DataActionVersion {
    /// The version string.
    public static let current = "0.5.0"

    /// What upstream calls send as `User-Agent`.
    public static let userAgent = "data-action/\(current)"
}
