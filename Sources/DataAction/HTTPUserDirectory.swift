/// The user directory over HTTP: `GET {EXTERNAL_API_URL}/{userId}` with the upstream client.
public struct HTTPUserDirectory: UserDirectory {
    private let client: UpstreamClient

    /// Creates the directory on a client of its own.
    public init(settings: UpstreamSettings) {
        self.client = UpstreamClient(settings: settings)
    }

    /// Looks one user up with one GET whose deadline covers the whole exchange, body included.
    public func lookUpUser(_ id: UserIdentifier) -> UserLookupResult {
        switch self.client.send(url: self.client.settings.baseURL + "/" + id.pathSegment) {
        case .answered(let status, let body): Self.result(status: status, body: body)
        case .failed(let failure): .failed(failure)
        }
    }

    /// The result for an upstream answer; `body` is nil when it was over the limit.
    static func result(status: Int, body: [UInt8]?) -> UserLookupResult {
        switch status {
        case 200..<300:
            guard let body else { return .failed(.bodyTooLarge(status: status)) }
            guard let object = try? JSONValue.parse(body).objectValue else {
                return .failed(.invalidBody(status: status))
            }
            let record = UserRecord(
                name: object["name"]?.stringValue,
                email: object["email"]?.stringValue,
                phone: object["phone"]?.stringValue
            )
            return .found(record, upstreamStatus: status)
        case 404:
            return .notFound
        default:
            return .failed(.unexpectedStatus(status))
        }
    }
}
