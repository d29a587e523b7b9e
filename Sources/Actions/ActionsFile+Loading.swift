import JSON

extension ActionsFile {
    /// What an upstream has when the file does not say: the environment's settings.
    public struct Defaults: Sendable {
        public var timeoutMilliseconds: Int
        public var maxBodyBytes: Int
        public var breaker: CircuitBreakerSettings

        public init(
            timeoutMilliseconds: Int = WholeNumberSetting.upstreamTimeoutMilliseconds.defaultValue,
            maxBodyBytes: Int = WholeNumberSetting.upstreamMaxBodyBytes.defaultValue,
            breaker: CircuitBreakerSettings = .off
        ) {
            self.timeoutMilliseconds = timeoutMilliseconds
            self.maxBodyBytes = maxBodyBytes
            self.breaker = breaker
        }
    }

    /// Reads and checks an actions file written in YAML. Every problem is one line naming its
    /// place, `FILE:LINE: actions.NAME.KEY: what is wrong`; the file is nil when there is any.
    public static func parse(yaml: String, source: String, defaults: Defaults) -> (file: ActionsFile?, problems: [String]) {
        var reader = ActionsFileReader(source: source, defaults: defaults)
        var file = reader.read(yaml)
        file?.warnings = reader.warnings
        // In the file's order, as an editor lists them.
        let problems = reader.problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        return (reader.problems.isEmpty ? file : nil, problems.map(\.element.text))
    }
}

extension ActionsFile {
    /// The YAML text as JSON, as the service reads it: for checking a file against
    /// deploy/actions.schema.json. Nil with the problems when it is not YAML.
    public static func json(yaml: String, source: String) -> (document: JSONValue?, problems: [String]) {
        var reader = ActionsFileReader(source: source, defaults: Defaults())
        let document = reader.compose(yaml).flatMap { reader.json($0, "(top level)") }
        return (document, reader.problems.map(\.text))
    }
}

/// Walks the YAML tree of an actions file, collecting every problem with its place.
struct ActionsFileReader {
    let source: String
    let defaults: ActionsFile.Defaults
    /// Each problem with the line it is on (0 for the whole file).
    var problems: [(line: Int, text: String)] = []
    /// What the file may not mean, one line each, in file order.
    var warnings: [String] = []

    init(source: String, defaults: ActionsFile.Defaults) {
        self.source = source
        self.defaults = defaults
    }

    /// The longest action, upstream, input and output names.
    static let maximumNameLength = 64

    /// The file's YAML tree; nil when it is empty or not YAML.
    mutating func compose(_ yaml: String) -> YAMLNode? {
        do throws(LibYAML.Failure) {
            guard let node = try LibYAML.parse(yaml) else {
                self.problems.append((0, "\(self.source): the file is empty; it needs 'upstreams' and 'actions'"))
                return nil
            }
            return node
        } catch {
            let line = error.line ?? 0
            let what = error.isYAMLError ? "not valid YAML: \(error.description)" : error.description
            self.problems.append((line, Self.oneLine("\(self.source)\(line > 0 ? ":\(line)" : ""): \(what)")))
            return nil
        }
    }

    mutating func read(_ yaml: String) -> ActionsFile? {
        guard let root = self.compose(yaml) else { return nil }
        guard let top = self.mapping(root, "(top level)", keys: ["upstreams", "actions"]) else { return nil }
        var upstreams: [UpstreamDefinition] = []
        if let node = top["upstreams"], let entries = self.mapping(node, "upstreams", keys: nil) {
            for (name, node) in entries.pairs {
                if let upstream = self.upstream(name, node) { upstreams.append(upstream) }
            }
        } else if top["upstreams"] == nil {
            self.report(root, "(top level)", "'upstreams' is required: the REST APIs the actions call")
        }
        var actions: [ActionDefinition] = []
        if let node = top["actions"], let entries = self.mapping(node, "actions", keys: nil) {
            if entries.pairs.isEmpty { self.report(node, "actions", "declare at least one action") }
            let upstreamNames = Set(upstreams.map(\.name))
            for (name, node) in entries.pairs {
                if let action = self.action(name, node, upstreams: upstreamNames, declared: top["upstreams"] != nil) {
                    actions.append(action)
                }
            }
        } else if top["actions"] == nil {
            self.report(root, "(top level)", "'actions' is required: the data actions this service answers")
        }
        return ActionsFile(upstreams: upstreams, actions: actions)
    }

    // MARK: Upstreams

    private mutating func upstream(_ name: String, _ node: YAMLNode) -> UpstreamDefinition? {
        let place = "upstreams.\(name)"
        self.checkName(name, node, place, kind: "an upstream name", allowHyphen: true)
        guard
            let fields = self.mapping(
                node,
                place,
                keys: ["url", "timeoutMs", "maxBodyBytes", "headers", "query", "correlationHeader", "tls", "auth", "cache", "circuitBreaker"]
            )
        else { return nil }
        var upstream = UpstreamDefinition(
            name: name,
            url: .literal(""),
            timeoutMilliseconds: self.defaults.timeoutMilliseconds,
            maxBodyBytes: self.defaults.maxBodyBytes,
            breaker: self.defaults.breaker
        )
        if let url = fields["url"] {
            upstream.url = self.settingValue(url, "\(place).url") ?? .literal("")
            if case .literal(let text) = upstream.url, let problem = UpstreamDefinition.problem(withBaseURL: text) {
                self.report(url, "\(place).url", problem)
            }
        } else {
            self.report(node, place, "'url' is required: the API's base URL, e.g. https://crm.internal.example/api")
        }
        if let value = fields["timeoutMs"],
            let timeout = self.integer(value, "\(place).timeoutMs", in: WholeNumberSetting.upstreamTimeoutMilliseconds.range)
        {
            upstream.timeoutMilliseconds = timeout
        }
        if let value = fields["maxBodyBytes"],
            let limit = self.integer(value, "\(place).maxBodyBytes", in: WholeNumberSetting.upstreamMaxBodyBytes.range)
        {
            upstream.maxBodyBytes = limit
        }
        if let value = fields["headers"], let headers = self.mapping(value, "\(place).headers", keys: nil) {
            for (header, node) in headers.pairs {
                let headerPlace = "\(place).headers.\(header)"
                if let problem = Self.headerNameProblem(header) {
                    self.report(node, headerPlace, problem)
                    // A header the service owns is not read further; a misspelt name's value is.
                    if UpstreamDefinition.serviceOwnedHeaders.contains(header.lowercased()) { continue }
                }
                guard let value = self.settingValue(node, headerPlace) else { continue }
                if case .literal(let text) = value {
                    if text.contains(where: { $0.isNewline || $0 == "\0" }) {
                        self.report(node, headerPlace, "a header value must be one line")
                    }
                    if UpstreamDefinition.carriesSecret(header) {
                        self.report(node, headerPlace, "a secret is never written in the file; use { env: NAME }")
                    }
                }
                upstream.headers.append(.init(name: header, value: value))
            }
        }
        if let value = fields["query"], let parameters = self.mapping(value, "\(place).query", keys: nil) {
            for (name, node) in parameters.pairs {
                if name.isEmpty || name.contains(where: { $0.isWhitespace || "&=#".contains($0) }) {
                    self.report(node, "\(place).query.\(name)", "not a query parameter name")
                } else if let value = self.settingValue(node, "\(place).query.\(name)") {
                    upstream.query.append((name, value))
                }
            }
        }
        if let value = fields["correlationHeader"], let header = self.string(value, "\(place).correlationHeader") {
            if let problem = Self.headerNameProblem(header) {
                self.report(value, "\(place).correlationHeader", problem)
            } else if UpstreamDefinition.carriesSecret(header) {
                self.report(value, "\(place).correlationHeader", "\(header) cannot carry the correlation id")
            } else {
                upstream.correlationHeader = header
            }
        }
        if let value = fields["tls"], let tls = self.mapping(value, "\(place).tls", keys: ["caFile", "clientCertificate", "clientKey", "verify"]) {
            upstream.tls.caFile = tls["caFile"].flatMap { self.string($0, "\(place).tls.caFile") }
            upstream.tls.clientCertificate = tls["clientCertificate"].flatMap { self.string($0, "\(place).tls.clientCertificate") }
            upstream.tls.clientKey = tls["clientKey"].flatMap { self.string($0, "\(place).tls.clientKey") }
            upstream.tls.verify = tls["verify"].flatMap { self.boolean($0, "\(place).tls.verify") }
            if (upstream.tls.clientCertificate == nil) != (upstream.tls.clientKey == nil) {
                self.report(value, "\(place).tls", "clientCertificate and clientKey go together: set both or neither")
            }
        }
        if let value = fields["auth"] {
            upstream.auth = self.auth(value, "\(place).auth")
            if upstream.auth != nil, let header = upstream.headers.first(where: { $0.name.lowercased() == "authorization" }) {
                self.report(value, "\(place).auth", "the upstream also declares headers.\(header.name); keep one of them")
            }
        }
        if let value = fields["cache"], let cache = self.mapping(value, "\(place).cache", keys: ["ttlSeconds", "notFoundTtlSeconds", "maxEntries"]) {
            let ttl = WholeNumberSetting.cacheTTLSeconds
            let notFoundTTL = WholeNumberSetting.cacheNotFoundTTLSeconds
            let maxEntries = WholeNumberSetting.cacheMaxEntries
            upstream.cache = CacheSettings(
                foundTTL: .seconds(cache["ttlSeconds"].flatMap { self.integer($0, "\(place).cache.ttlSeconds", in: ttl.range) } ?? ttl.defaultValue),
                notFoundTTL: .seconds(
                    cache["notFoundTtlSeconds"].flatMap { self.integer($0, "\(place).cache.notFoundTtlSeconds", in: notFoundTTL.range) }
                        ?? notFoundTTL.defaultValue
                ),
                maxEntries: cache["maxEntries"].flatMap { self.integer($0, "\(place).cache.maxEntries", in: maxEntries.range) }
                    ?? maxEntries.defaultValue
            )
        }
        if let value = fields["circuitBreaker"],
            let breaker = self.mapping(value, "\(place).circuitBreaker", keys: ["failures", "coolDownSeconds"])
        {
            if let failures = breaker["failures"].flatMap({
                self.integer($0, "\(place).circuitBreaker.failures", in: WholeNumberSetting.breakerFailures.range)
            }) {
                upstream.breaker.failureThreshold = failures
            }
            if let seconds = breaker["coolDownSeconds"].flatMap({
                self.integer($0, "\(place).circuitBreaker.coolDownSeconds", in: WholeNumberSetting.breakerCoolDownSeconds.range)
            }) {
                upstream.breaker.coolDown = .seconds(seconds)
            }
        }
        return upstream
    }

    /// What is wrong with `name` as a header a file declares; nil when it may be declared.
    static func headerNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
            return "not a header name: letters, digits, '-' and '_' only"
        }
        guard !UpstreamDefinition.serviceOwnedHeaders.contains(name.lowercased()) else { return "the service sets \(name) itself" }
        return nil
    }

    /// `auth:` with exactly one of `basic` and `oauth2`.
    private mutating func auth(_ node: YAMLNode, _ place: String) -> UpstreamAuthDeclaration? {
        guard let fields = self.mapping(node, place, keys: ["basic", "oauth2"]) else { return nil }
        guard fields.pairs.count == 1 else {
            self.report(node, place, "exactly one of basic and oauth2")
            return nil
        }
        if let basic = fields["basic"] {
            guard let members = self.mapping(basic, "\(place).basic", keys: ["username", "password"]) else { return nil }
            let username = self.secretSetting(members["username"], in: basic, "\(place).basic.username")
            let password = self.secretSetting(members["password"], in: basic, "\(place).basic.password")
            guard let username, let password else { return nil }
            return .basic(username: username, password: password)
        }
        let oauth = fields["oauth2"]!
        let oauthPlace = "\(place).oauth2"
        guard
            let members = self.mapping(
                oauth,
                oauthPlace,
                keys: ["tokenUrl", "clientId", "clientSecret", "scope", "parameters", "clientAuthentication"]
            )
        else { return nil }
        var tokenURL: SettingValue?
        if let node = members["tokenUrl"] {
            tokenURL = self.settingValue(node, "\(oauthPlace).tokenUrl")
            if case .literal(let text)? = tokenURL, let problem = UpstreamDefinition.problem(withTokenURL: text) {
                self.report(node, "\(oauthPlace).tokenUrl", problem)
            }
        } else {
            self.report(oauth, oauthPlace, "'tokenUrl' is required: the token endpoint, e.g. https://login.example.com/oauth2/token")
        }
        var clientId: SettingValue?
        if let node = members["clientId"] {
            clientId = self.settingValue(node, "\(oauthPlace).clientId")
        } else {
            self.report(oauth, oauthPlace, "'clientId' is required")
        }
        let clientSecret = self.secretSetting(members["clientSecret"], in: oauth, "\(oauthPlace).clientSecret")
        let scope = members["scope"].flatMap { self.string($0, "\(oauthPlace).scope") }
        var parameters: [(name: String, value: String)] = []
        if let node = members["parameters"], let entries = self.mapping(node, "\(oauthPlace).parameters", keys: nil) {
            for (name, value) in entries.pairs {
                if ["grant_type", "client_id", "client_secret", "scope"].contains(name) {
                    self.report(value, "\(oauthPlace).parameters.\(name)", "the service sends \(name) itself")
                } else if let text = self.string(value, "\(oauthPlace).parameters.\(name)") {
                    parameters.append((name, text))
                }
            }
        }
        var clientAuthentication = OAuth2Declaration.ClientAuthentication.body
        if let node = members["clientAuthentication"], let text = self.string(node, "\(oauthPlace).clientAuthentication") {
            if let chosen = OAuth2Declaration.ClientAuthentication(rawValue: text) {
                clientAuthentication = chosen
            } else {
                self.report(node, "\(oauthPlace).clientAuthentication", "body or basic, not '\(text)'")
            }
        }
        guard let tokenURL, let clientId, let clientSecret else { return nil }
        return .oauth2(
            OAuth2Declaration(
                tokenURL: tokenURL,
                clientId: clientId,
                clientSecret: clientSecret,
                scope: scope,
                parameters: parameters,
                clientAuthentication: clientAuthentication
            )
        )
    }

    /// A secret: only `{ env: NAME }`, never written in the file.
    private mutating func secretSetting(_ node: YAMLNode?, in parent: YAMLNode, _ place: String) -> SettingValue? {
        guard let node else {
            self.report(parent, place, "required, as { env: NAME }")
            return nil
        }
        guard let value = self.settingValue(node, place) else { return nil }
        guard case .setting = value else {
            self.report(node, place, "a secret is never written in the file; use { env: NAME }")
            return nil
        }
        return value
    }

    /// A literal text, or `{ env: NAME }`: the value of a setting.
    private mutating func settingValue(_ node: YAMLNode, _ place: String) -> SettingValue? {
        if case .mapping = node.kind {
            guard let fields = self.mapping(node, place, keys: ["env"]), let name = fields["env"] else {
                self.report(node, place, "write the value, or { env: NAME } to read it from the environment or the env file")
                return nil
            }
            guard let setting = self.string(name, "\(place).env") else { return nil }
            guard !setting.isEmpty, setting.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }),
                !setting.first!.isNumber
            else {
                self.report(name, "\(place).env", "'\(setting)' is not a setting name: capital letters, digits and '_'")
                return nil
            }
            return .setting(setting)
        }
        return self.string(node, place).map(SettingValue.literal)
    }

    // MARK: Actions

    private mutating func action(_ name: String, _ node: YAMLNode, upstreams: Set<String>, declared: Bool) -> ActionDefinition? {
        let place = "actions.\(name)"
        self.checkName(name, node, place, kind: "an action name (it is the URL path)", allowHyphen: true)
        guard
            let fields = self.mapping(
                node,
                place,
                keys: ["title", "description", "inputs", "request", "result", "outputs"]
            )
        else { return nil }
        let title = fields["title"].flatMap { self.string($0, "\(place).title") } ?? name
        let description = fields["description"].flatMap { self.string($0, "\(place).description") } ?? title

        var inputs: [ActionInput] = []
        if let node = fields["inputs"], let entries = self.mapping(node, "\(place).inputs", keys: nil) {
            for (input, node) in entries.pairs {
                if let parsed = self.input(input, node, "\(place).inputs.\(input)") { inputs.append(parsed) }
            }
        }
        var request: ActionRequestTemplate?
        if let node = fields["request"] {
            request = self.request(node, "\(place).request", inputs: inputs, upstreams: upstreams, declared: declared)
        } else {
            self.report(node, place, "'request' is required: the upstream and path to call")
        }

        var result = ActionResultRule()
        if let node = fields["result"], let rule = self.mapping(node, "\(place).result", keys: ["notFound", "record", "failWhen"]) {
            if let failWhen = rule["failWhen"], let text = self.string(failWhen, "\(place).result.failWhen") {
                do {
                    result.failWhen = try JSONPath(text)
                } catch {
                    self.report(failWhen, "\(place).result.failWhen", error.description)
                }
            }
            if let statuses = rule["notFound"] {
                result.notFoundStatuses = []
                if case .sequence(let sequence) = statuses.kind {
                    for (index, status) in sequence.enumerated() {
                        if let code = self.integer(status, "\(place).result.notFound[\(index)]", in: 200...599) {
                            result.notFoundStatuses.append(code)
                        }
                    }
                } else {
                    self.report(statuses, "\(place).result.notFound", "a list of statuses, e.g. [404]")
                }
            }
            if let record = rule["record"], let text = self.string(record, "\(place).result.record") {
                do {
                    result.record = try JSONPath(text)
                } catch {
                    self.report(record, "\(place).result.record", error.description)
                }
            }
        }

        var outputs: [ActionOutput] = []
        if let node = fields["outputs"], let entries = self.mapping(node, "\(place).outputs", keys: nil) {
            if entries.pairs.isEmpty { self.report(node, "\(place).outputs", "declare at least one output") }
            for (output, node) in entries.pairs {
                if let parsed = self.output(output, node, "\(place).outputs.\(output)") { outputs.append(parsed) }
            }
        } else if fields["outputs"] == nil {
            self.report(node, place, "'outputs' is required: what Architect maps into flow variables")
        }
        guard let request else { return nil }
        return ActionDefinition(
            name: name,
            title: title,
            description: description,
            inputs: inputs,
            request: request,
            result: result,
            outputs: outputs
        )
    }

    private mutating func input(_ name: String, _ node: YAMLNode, _ place: String) -> ActionInput? {
        self.checkName(name, node, place, kind: "an input name", allowHyphen: false)
        if ActionInput.reservedNames.contains(name) {
            self.report(node, place, "'\(name)' is reserved by Genesys (orgId, integrationId, rawRequest) or the request envelope (inputs)")
        }
        // `phone: string` is short for `phone: { type: string }`.
        if case .scalar = node.kind {
            guard let type = self.valueType(node, "\(place).type") else { return nil }
            return ActionInput(name: name, type: type)
        }
        guard
            let fields = self.mapping(
                node,
                place,
                keys: ["type", "required", "description", "pattern", "maxLength", "enum", "minimum", "maximum"]
            )
        else { return nil }
        guard let typeYAMLNode = fields["type"] else {
            self.report(node, place, "'type' is required: string, integer, number or boolean")
            return nil
        }
        guard let type = self.valueType(typeYAMLNode, "\(place).type") else { return nil }
        var input = ActionInput(name: name, type: type)
        input.required = fields["required"].flatMap { self.boolean($0, "\(place).required") } ?? false
        input.description = fields["description"].flatMap { self.string($0, "\(place).description") }
        let rulesFor: [String: Set<ValueType>] = [
            "pattern": [.string], "maxLength": [.string], "minimum": [.integer, .number], "maximum": [.integer, .number],
        ]
        for (rule, types) in rulesFor where fields[rule] != nil && !types.contains(type) {
            self.report(
                fields[rule]!,
                "\(place).\(rule)",
                "applies to \(types.map(\.rawValue).sorted().joined(separator: " and ")) inputs, not \(type.rawValue)"
            )
        }
        if let node = fields["pattern"], let text = self.string(node, "\(place).pattern") {
            input.pattern = InputPattern(text)
            if input.pattern == nil { self.report(node, "\(place).pattern", "not a regular expression: \(text)") }
        }
        input.maxLength = fields["maxLength"].flatMap { self.integer($0, "\(place).maxLength", in: 1...1_000_000) }
        input.minimum = fields["minimum"].flatMap { self.number($0, "\(place).minimum") }
        input.maximum = fields["maximum"].flatMap { self.number($0, "\(place).maximum") }
        if let minimum = input.minimum, let maximum = input.maximum, minimum > maximum {
            self.report(fields["maximum"]!, "\(place).maximum", "is below minimum")
        }
        if let node = fields["enum"] {
            guard case .sequence(let sequence) = node.kind, !sequence.isEmpty else {
                self.report(node, "\(place).enum", "a non-empty list of the values allowed")
                return input
            }
            var allowed: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                let value = self.json(element, "\(place).enum[\(index)]")
                let fits =
                    switch (type, value) {
                    case (.string, .string?), (.integer, .integer?), (.number, .integer?), (.number, .number?), (.boolean, .bool?): true
                    default: false
                    }
                if fits {
                    allowed.append(value!)
                } else {
                    self.report(element, "\(place).enum[\(index)]", "not \(type == .integer ? "an" : "a") \(type.rawValue)")
                }
            }
            input.allowed = allowed
        }
        return input
    }

    private mutating func request(
        _ node: YAMLNode,
        _ place: String,
        inputs: [ActionInput],
        upstreams: Set<String>,
        declared: Bool
    ) -> ActionRequestTemplate? {
        let names = Set(inputs.map(\.name))
        guard let fields = self.mapping(node, place, keys: ["upstream", "method", "path", "headers", "body"]) else { return nil }
        var valid = true
        let upstream = fields["upstream"].flatMap { self.string($0, "\(place).upstream") }
        if let upstream, !upstreams.contains(upstream), declared {
            self.report(fields["upstream"]!, "\(place).upstream", "no upstream '\(upstream)' is declared under 'upstreams'")
            valid = false
        } else if fields["upstream"] == nil {
            self.report(node, place, "'upstream' is required: the name of one of 'upstreams'")
        }
        let written = fields["method"].flatMap { self.string($0, "\(place).method") }?.uppercased() ?? HTTPMethod.get.rawValue
        let method = HTTPMethod(rawValue: written) ?? .get
        if HTTPMethod(rawValue: written) == nil {
            self.report(
                fields["method"]!,
                "\(place).method",
                "one of \(HTTPMethod.allCases.map(\.rawValue).joined(separator: ", ")), not '\(written)'"
            )
            valid = false
        }
        var path: URITemplate?
        if let node = fields["path"], let text = self.string(node, "\(place).path") {
            if !text.hasPrefix("/") {
                self.report(node, "\(place).path", "starts with '/': it follows the upstream's base URL")
            } else {
                do {
                    path = try URITemplate(text, names: names)
                    self.checkSafety(of: path!, inputs: inputs, node, "\(place).path")
                } catch {
                    self.report(node, "\(place).path", error.description)
                }
            }
        } else if fields["path"] == nil {
            self.report(node, place, "'path' is required, e.g. /contacts{?phone}")
        }
        var headers: [HeaderTemplate] = []
        if let node = fields["headers"], let entries = self.mapping(node, "\(place).headers", keys: nil) {
            for (name, value) in entries.pairs {
                if let header = self.header(name, value, inputs: inputs, "\(place).headers.\(name)") { headers.append(header) }
            }
        }
        var body: BodyTemplate?
        if let node = fields["body"] {
            if !method.sendsBody {
                self.report(node, "\(place).body", "only POST, PUT and PATCH send a body")
            } else if let template = self.json(node, "\(place).body") {
                do {
                    body = try BodyTemplate(template, inputs: inputs)
                    for text in body!.textsNamingInputs {
                        self.warn(node, "\(place).body", "'\(text)' is sent as written; a value goes in a string that is exactly \"{name}\"")
                    }
                } catch {
                    self.report(node, "\(place).body", error.description)
                }
            }
        }
        guard valid, let upstream, let path else { return nil }
        var request = ActionRequestTemplate(upstream: upstream, method: method, path: path, body: body)
        request.headers = headers
        return request
    }

    /// A header of the request: text with `{input}` expansions, under the header rules of an
    /// upstream's headers, and the rule of the query's text for an input inside literal text.
    private mutating func header(_ name: String, _ node: YAMLNode, inputs: [ActionInput], _ place: String) -> HeaderTemplate? {
        if let problem = Self.headerNameProblem(name) {
            self.report(node, place, problem)
            return nil
        }
        guard let text = self.string(node, place) else { return nil }
        let template: HeaderTemplate
        do {
            template = try HeaderTemplate(name: name, source: text, names: Set(inputs.map(\.name)))
        } catch {
            self.report(node, place, error.description)
            return nil
        }
        if template.inputs.isEmpty && UpstreamDefinition.carriesSecret(name) {
            self.report(node, place, "a secret is never written in the file; declare it on the upstream as { env: NAME }")
            return nil
        }
        if !template.isOneInput {
            for input in template.inputs where inputs.first(where: { $0.name == input })?.isFreeText == true {
                self.report(
                    node,
                    place,
                    "'{\(input)}' is inside the header's own text: give input '\(input)' a pattern or an enum, or make the value exactly \"{\(input)}\""
                )
            }
        }
        return template
    }

    /// The safety rules of a request path: an input that is a path segment is required (an
    /// empty one would address another resource); one inside the query's own text has a
    /// pattern or an enum, or is not text (the upstream decodes it into its query language).
    private mutating func checkSafety(of path: URITemplate, inputs: [ActionInput], _ node: YAMLNode, _ place: String) {
        for name in path.pathSegmentVariables {
            guard let input = inputs.first(where: { $0.name == name }), !input.required else { continue }
            self.report(
                node,
                place,
                "'{\(name)}' is a path segment, so input '\(name)' must be required: an empty one would address another resource"
            )
        }
        for name in path.queryTextVariables where inputs.first(where: { $0.name == name })?.isFreeText == true {
            self.report(
                node,
                place,
                "'{\(name)}' is inside the query's own text, where the upstream reads its query language: give input '\(name)' a pattern or an enum, or send it as {?\(name)}"
            )
        }
    }

    private mutating func output(_ name: String, _ node: YAMLNode, _ place: String) -> ActionOutput? {
        self.checkName(name, node, place, kind: "an output name", allowHyphen: false)
        var sourceYAMLNode = node
        var type = ValueType.string
        var isList = false
        var description: String?
        var coerce = false
        if case .mapping = node.kind {
            guard let fields = self.mapping(node, place, keys: ["path", "count", "type", "items", "coerce", "description"]) else { return nil }
            if let count = fields["count"] {
                guard fields["path"] == nil, fields["type"] == nil, fields["items"] == nil, fields["coerce"] == nil else {
                    self.report(node, place, "a count is an integer of its own: no path, type, items or coerce beside it")
                    return nil
                }
                guard let text = self.string(count, "\(place).count") else { return nil }
                do {
                    let path = try JSONPath(text)
                    let description = fields["description"].flatMap { self.string($0, "\(place).description") }
                    return ActionOutput(name: name, source: .count(path), type: .integer, description: description)
                } catch {
                    self.report(count, "\(place).count", error.description)
                    return nil
                }
            }
            guard let path = fields["path"] else {
                self.report(node, place, "'path' is required: found, or a JSONPath into the record such as $.name")
                return nil
            }
            sourceYAMLNode = path
            if let node = fields["coerce"], let value = self.boolean(node, "\(place).coerce") {
                coerce = value
            }
            if let typeYAMLNode = fields["type"] {
                if case .scalar("array", _) = typeYAMLNode.kind {
                    isList = true
                    guard let items = fields["items"] else {
                        self.report(
                            typeYAMLNode,
                            "\(place).items",
                            "an array output names its elements' type: items: string, integer, number or boolean"
                        )
                        return nil
                    }
                    guard let parsed = self.valueType(items, "\(place).items") else { return nil }
                    type = parsed
                } else {
                    guard let parsed = self.valueType(typeYAMLNode, "\(place).type", orArray: true) else { return nil }
                    type = parsed
                }
            }
            if let items = fields["items"], !isList {
                self.report(items, "\(place).items", "items is the elements' type of a type: array output")
            }
            description = fields["description"].flatMap { self.string($0, "\(place).description") }
        }
        guard let text = self.string(sourceYAMLNode, place) else { return nil }
        if text == "found" {
            if isList || (type != .string && type != .boolean) { self.report(node, "\(place).type", "found is a boolean") }
            return ActionOutput(name: name, source: .found, type: .boolean, description: description)
        }
        if coerce && type == .string {
            self.report(node, "\(place).coerce", "applies to number, integer and boolean outputs")
        }
        do {
            let path = try JSONPath(text, allowingEveryElement: isList)
            return ActionOutput(name: name, source: isList ? .list(path) : .path(path), type: type, description: description, coerce: coerce)
        } catch {
            self.report(sourceYAMLNode, place, "\(error.description); or 'found' for whether a record was found")
            return nil
        }
    }

    // MARK: Values

    /// Names are letters, digits and `_` (and `-` where allowed), starting with a letter: they
    /// appear in URLs and in Genesys' Velocity references.
    private mutating func checkName(_ name: String, _ node: YAMLNode, _ place: String, kind: String, allowHyphen: Bool) {
        let valid =
            (1...Self.maximumNameLength).contains(name.count) && name.first!.isASCII && name.first!.isLetter
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || (allowHyphen && $0 == "-")) }
        if !valid {
            let allowed = allowHyphen ? "letters, digits, '-' and '_'" : "letters, digits and '_'"
            self.report(node, place, "'\(name)' is not \(kind): a letter, then \(allowed), at most \(Self.maximumNameLength)")
        }
    }

    /// A scalar type; `orArray` where an output's `type: array` would also be right.
    private mutating func valueType(_ node: YAMLNode, _ place: String, orArray: Bool = false) -> ValueType? {
        guard let text = self.string(node, place) else { return nil }
        guard let type = ValueType(rawValue: text) else {
            self.report(node, place, "unknown type '\(text)'; one of string, integer, number, boolean\(orArray ? ", array" : "")")
            return nil
        }
        return type
    }

    /// A mapping's members by key, in order; reports keys not in `keys` (when given), and keys
    /// given twice.
    private mutating func mapping(_ node: YAMLNode, _ place: String, keys: [String]?) -> Members? {
        guard case .mapping(let pairs) = node.kind else {
            self.report(node, place, keys.map { "a mapping with \($0.joined(separator: ", "))" } ?? "a mapping")
            return nil
        }
        var members = Members()
        for (keyNode, value) in pairs {
            guard case .scalar(let key, _) = keyNode.kind else {
                self.report(keyNode, place, "keys are plain names")
                continue
            }
            if let keys, !keys.contains(key) {
                self.report(keyNode, "\(place).\(key)", "unknown key; known keys: \(keys.joined(separator: ", "))")
                continue
            }
            guard members[key] == nil else {
                self.report(keyNode, "\(place).\(key)", "given twice")
                continue
            }
            members.pairs.append((key, value))
        }
        return members
    }

    private mutating func string(_ node: YAMLNode, _ place: String) -> String? {
        guard case .scalar(let text, let type) = node.kind, type != .null else {
            self.report(node, place, "a text value")
            return nil
        }
        return text
    }

    private mutating func integer(_ node: YAMLNode, _ place: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let text, _) = node.kind, let value = Int(text), range.contains(value) else {
            self.report(node, place, "a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    private mutating func number(_ node: YAMLNode, _ place: String) -> Double? {
        guard case .scalar(let text, let type) = node.kind, type == .integer || type == .float, let value = Double(text), value.isFinite else {
            self.report(node, place, "a number")
            return nil
        }
        return value
    }

    private mutating func boolean(_ node: YAMLNode, _ place: String) -> Bool? {
        guard case .scalar(let text, .bool) = node.kind, let value = Bool(text.lowercased()) else {
            self.report(node, place, "true or false")
            return nil
        }
        return value
    }

    /// YAML as JSON: mappings, sequences and scalars by their type.
    mutating func json(_ node: YAMLNode, _ place: String) -> JSONValue? {
        switch node.kind {
        case .mapping:
            guard let members = self.mapping(node, place, keys: nil) else { return nil }
            var object: [String: JSONValue] = [:]
            for (key, value) in members.pairs {
                object[key] = self.json(value, "\(place).\(key)")
            }
            return .object(object)
        case .sequence(let elements):
            return .array(elements.enumerated().compactMap { self.json($1, "\(place)[\($0)]") })
        case .scalar(let text, let type):
            switch type {
            case .null: return .null
            case .bool: return Bool(text.lowercased()).map(JSONValue.bool) ?? .string(text)
            case .integer: return Int64(text).map(JSONValue.integer) ?? .string(text)
            case .float: return Double(text).flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .string(text)
            case .string: return .string(text)
            }
        }
    }

    /// Notes something the file may not mean, which is no reason to refuse it.
    private mutating func warn(_ node: YAMLNode, _ place: String, _ note: String) {
        self.warnings.append(Self.oneLine("\(self.source):\(node.line): \(place): \(note)"))
    }

    private mutating func report(_ node: YAMLNode, _ place: String, _ problem: String) {
        let line = node.line
        let text = "\(self.source)\(line > 0 ? ":\(line)" : ""): \(place): \(problem)"
        self.problems.append((line, Self.oneLine(text)))
    }

    /// `text` with its control characters written as escapes: one problem stays one line,
    /// whatever the file quotes.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// A mapping's members in order.
    struct Members {
        var pairs: [(String, YAMLNode)] = []

        subscript(key: String) -> YAMLNode? {
            self.pairs.first { $0.0 == key }?.1
        }
    }
}
