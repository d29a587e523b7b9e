import JSON

/// One data action as declared: what Genesys sends, how the upstream is asked, and what is
/// answered. The service, `invoke`, `actions show` and the Genesys export all read this one
/// definition.
public struct ActionDefinition: Sendable {
    /// The action's name; it is served at `/data-action/NAME`.
    public var name: String
    /// A short title, shown in Genesys.
    public var title: String
    /// What the action does, shown in Genesys.
    public var description: String
    /// The inputs, in the order they are checked.
    public var inputs: [ActionInput]
    /// How the upstream is asked.
    public var request: ActionRequestTemplate
    /// What the upstream's answer means.
    public var result: ActionResultRule
    /// The outputs, in the order Genesys lists them.
    public var outputs: [ActionOutput]

    public init(
        name: String,
        title: String,
        description: String,
        inputs: [ActionInput],
        request: ActionRequestTemplate,
        result: ActionResultRule,
        outputs: [ActionOutput]
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.inputs = inputs
        self.request = request
        self.result = result
        self.outputs = outputs
    }

    /// The prefix every action's path starts with.
    public static let pathPrefix = "/data-action/"

    /// The path the action is served at.
    public var path: String { Self.pathPrefix + self.name }
}

/// The scalar types Genesys passes in and out of a data action.
public enum ValueType: String, Sendable, CaseIterable {
    case string, integer, number, boolean
}

/// How the upstream is asked for an action's answer.
public struct ActionRequestTemplate: Sendable {
    /// The upstream's name in the actions file.
    public var upstream: String
    /// GET, POST, PUT, PATCH or DELETE.
    public var method: HTTPMethod
    /// The path after the upstream's base URL, an RFC 6570 template over the inputs.
    public var path: URITemplate
    /// The JSON body of a POST, PUT or PATCH, whose input references become typed values.
    public var body: BodyTemplate?
    /// Headers of this action's calls, with input values in them.
    public var headers: [HeaderTemplate] = []

    public init(upstream: String, method: HTTPMethod, path: URITemplate, body: BodyTemplate?) {
        self.upstream = upstream
        self.method = method
        self.path = path
        self.body = body
    }
}

/// What an upstream answer means: which statuses say "no such record", and where the record is.
public struct ActionResultRule: Sendable {
    /// Statuses that mean "no such record": a 200 with the found output false.
    public var notFoundStatuses: [Int]
    /// Where the record is in a 2xx body; when it does not resolve, or resolves to null, the
    /// record is not found.
    public var record: JSONPath
    /// Where a 2xx answer reports a failure (GraphQL's `$.errors`): when it holds anything but
    /// null, `false` or an empty list, the call failed, whatever else the answer holds.
    public var failWhen: JSONPath?

    public init(notFoundStatuses: [Int] = [404], record: JSONPath = .root, failWhen: JSONPath? = nil) {
        self.notFoundStatuses = notFoundStatuses
        self.record = record
        self.failWhen = failWhen
    }
}
