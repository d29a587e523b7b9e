/// The version of data-action, shown by `--version` and sent upstream in `User-Agent`.
public enum DataActionVersion {
    /// The version string.
    public static let current = "0.4.0"
}
