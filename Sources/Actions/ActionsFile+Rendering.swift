import JSON

/// The actions file as text: `data-action actions show` prints the effective actions in the
/// form the service reads, so a user starts from the built-in one. Settings named with
/// `{ env: NAME }` stay names; no secret is ever written.
extension ActionsFile {
    public var yaml: String {
        var lines = ["upstreams:"]
        for upstream in self.upstreams {
            lines.append("  \(upstream.name):")
            lines.append("    url: \(Self.render(upstream.url))")
            lines.append("    timeoutMs: \(upstream.timeoutMilliseconds)")
            lines.append("    maxBodyBytes: \(upstream.maxBodyBytes)")
            if !upstream.headers.isEmpty {
                lines.append("    headers:")
                for header in upstream.headers {
                    lines.append("      \(header.name): \(Self.render(header.value))")
                }
            }
            if !upstream.query.isEmpty {
                lines.append("    query:")
                for parameter in upstream.query {
                    lines.append("      \(Self.quoted(parameter.name)): \(Self.render(parameter.value))")
                }
            }
            if let header = upstream.correlationHeader {
                lines.append("    correlationHeader: \(header)")
            }
            if !upstream.tls.isEmpty {
                var fields: [String] = []
                if let caFile = upstream.tls.caFile { fields.append("caFile: \(Self.quoted(caFile))") }
                if let certificate = upstream.tls.clientCertificate { fields.append("clientCertificate: \(Self.quoted(certificate))") }
                if let key = upstream.tls.clientKey { fields.append("clientKey: \(Self.quoted(key))") }
                if let verify = upstream.tls.verify { fields.append("verify: \(verify)") }
                lines.append("    tls: { \(fields.joined(separator: ", ")) }")
            }
            switch upstream.auth {
            case .basic(let username, let password)?:
                lines.append("    auth:")
                lines.append("      basic: { username: \(Self.render(username)), password: \(Self.render(password)) }")
            case .oauth2(let oauth)?:
                lines.append("    auth:")
                lines.append("      oauth2:")
                lines.append("        tokenUrl: \(Self.render(oauth.tokenURL))")
                lines.append("        clientId: \(Self.render(oauth.clientId))")
                lines.append("        clientSecret: \(Self.render(oauth.clientSecret))")
                if let scope = oauth.scope { lines.append("        scope: \(Self.quoted(scope))") }
                if !oauth.parameters.isEmpty {
                    lines.append("        parameters:")
                    for parameter in oauth.parameters {
                        lines.append("          \(Self.quoted(parameter.name)): \(Self.quoted(parameter.value))")
                    }
                }
                lines.append("        clientAuthentication: \(oauth.clientAuthentication.rawValue)")
            case nil:
                break
            }
            if upstream.cache.isEnabled {
                lines.append(
                    "    cache: { ttlSeconds: \(upstream.cache.foundTTL.components.seconds), "
                        + "notFoundTtlSeconds: \(upstream.cache.notFoundTTL.components.seconds), maxEntries: \(upstream.cache.maxEntries) }"
                )
            }
            lines.append(
                "    circuitBreaker: { failures: \(upstream.breaker.failureThreshold), coolDownSeconds: \(upstream.breaker.coolDown.components.seconds) }"
            )
        }
        lines.append("actions:")
        for action in self.actions {
            lines.append("  \(action.name):")
            lines.append("    title: \(Self.quoted(action.title))")
            lines.append("    description: \(Self.quoted(action.description))")
            if !action.inputs.isEmpty {
                lines.append("    inputs:")
                for input in action.inputs {
                    var fields = ["type: \(input.type.rawValue)"]
                    if input.required { fields.append("required: true") }
                    if let maxLength = input.maxLength { fields.append("maxLength: \(maxLength)") }
                    if let pattern = input.pattern { fields.append("pattern: \(Self.quoted(pattern.source))") }
                    if let allowed = input.allowed {
                        fields.append("enum: [" + allowed.map { String(decoding: $0.serialized, as: UTF8.self) }.joined(separator: ", ") + "]")
                    }
                    if let minimum = input.minimum { fields.append("minimum: \(JSONValue.plain(minimum))") }
                    if let maximum = input.maximum { fields.append("maximum: \(JSONValue.plain(maximum))") }
                    if let description = input.description { fields.append("description: \(Self.quoted(description))") }
                    lines.append("      \(input.name): { \(fields.joined(separator: ", ")) }")
                }
            }
            lines.append("    request:")
            lines.append("      upstream: \(action.request.upstream)")
            lines.append("      method: \(action.request.method.rawValue)")
            lines.append("      path: \(Self.quoted(action.request.path.source))")
            if !action.request.headers.isEmpty {
                lines.append("      headers:")
                for header in action.request.headers {
                    lines.append("        \(header.name): \(Self.quoted(header.source))")
                }
            }
            if let body = action.request.body {
                lines.append("      body: \(String(decoding: body.template.serialized, as: UTF8.self))")
            }
            lines.append("    result:")
            lines.append("      notFound: [\(action.result.notFoundStatuses.map(String.init).joined(separator: ", "))]")
            lines.append("      record: \(Self.quoted(action.result.record.description))")
            if let failWhen = action.result.failWhen {
                lines.append("      failWhen: \(Self.quoted(failWhen.description))")
            }
            lines.append("    outputs:")
            for output in action.outputs {
                var fields: [String]
                switch output.source {
                case .found: fields = ["path: \"found\""]
                case .count(let path): fields = ["count: \(Self.quoted(path.description))"]
                case .path(let path): fields = ["path: \(Self.quoted(path.description))", "type: \(output.type.rawValue)"]
                case .list(let path): fields = ["path: \(Self.quoted(path.description))", "type: array", "items: \(output.type.rawValue)"]
                }
                if output.coerce { fields.append("coerce: true") }
                if let description = output.description { fields.append("description: \(Self.quoted(description))") }
                lines.append("      \(output.name): { \(fields.joined(separator: ", ")) }")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func render(_ value: SettingValue) -> String {
        switch value {
        case .literal(let text): Self.quoted(text)
        case .setting(let name): "{ env: \(name) }"
        }
    }

    /// A YAML double-quoted scalar: JSON's string syntax, which YAML reads the same.
    private static func quoted(_ text: String) -> String {
        String(decoding: JSONValue.string(text).serialized, as: UTF8.self)
    }
}
