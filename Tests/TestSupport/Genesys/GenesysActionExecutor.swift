import DataAction
import Foundation
import JSON

/// Executes a ``GenesysAction`` the way Genesys Cloud documents a web services data action
/// execution (docs/GENESYS.md), against a real endpoint reached through `send`:
///
/// 1. the input is validated against the input contract;
/// 2. `${input.*}`, `${input.rawRequest}` and `${credentials.*}` are substituted into the URL,
///    headers and body, and Genesys' `ININ-*` headers are added;
/// 3. a non-2xx status, a failed exchange or a body that is not JSON takes the Failure path;
/// 4. each translation map key is its JSONPath's value; its default (JSON text) applies only
///    when the path does not resolve, never for a null;
/// 5. the success template is rendered with the values as JSON text (a null renders as the
///    reference's own text); `rawResult` is the raw body;
/// 6. the result must be JSON valid against the success contract, or the action fails.
public struct GenesysActionExecutor: Sendable {
    /// What Genesys sends to the endpoint.
    public struct OutboundRequest: Sendable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: [UInt8]
    }

    /// What the endpoint answered.
    public struct InboundResponse: Sendable {
        public var status: Int
        public var body: [UInt8]

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// Why an execution took the Failure path.
    public enum Failure: Error, Equatable, Sendable {
        /// The input does not match the input contract; nothing was sent.
        case inputContract([String])
        /// The endpoint could not be reached or its answer not read.
        case exchange(String)
        /// The endpoint answered a status other than 2xx.
        case status(Int)
        /// The endpoint's body is not JSON.
        case notJSON
        /// A translation map path did not resolve and has no default.
        case unresolved(String)
        /// The success template did not render to JSON; the rendered text.
        case templateNotJSON(String)
        /// The result does not match the success contract.
        case outputContract([String])
    }

    /// One execution: what was sent and how it ended.
    public struct Execution: Sendable {
        /// The request as sent; nil when the input contract stopped it.
        public var request: OutboundRequest?
        /// The outputs Architect receives, or why the action failed.
        public var result: Result<JSONValue, Failure>
    }

    public let action: GenesysAction
    /// The integration's User Defined credential fields.
    public var credentials: [String: String]
    /// The calling organisation, sent as `ININ-Organization-Id`.
    public var organizationId: String

    public init(action: GenesysAction, credentials: [String: String], organizationId: String) {
        self.action = action
        self.credentials = credentials
        self.organizationId = organizationId
    }

    /// Executes the action with `input` (Architect's flat input values).
    public func execute(
        input: [String: JSONValue],
        correlationId: String = UUID().uuidString,
        send: (OutboundRequest) async throws -> InboundResponse
    ) async throws -> Execution {
        let inputViolations = try JSONSchemaDraft04.violations(of: self.action.inputSchema, by: .object(input))
        guard inputViolations.isEmpty else { return Execution(request: nil, result: .failure(.inputContract(inputViolations))) }

        let request = try self.request(input: input, correlationId: correlationId)
        let response: InboundResponse
        do {
            response = try await send(request)
        } catch {
            return Execution(request: request, result: .failure(.exchange("\(error)")))
        }
        guard (200..<300).contains(response.status) else { return Execution(request: request, result: .failure(.status(response.status))) }
        guard let answer = try? JSONValue.parse(response.body) else { return Execution(request: request, result: .failure(.notJSON)) }
        return Execution(request: request, result: try self.outputs(answer: answer, rawBody: response.body))
    }

    /// Step 2: the request, templates rendered.
    private func request(input: [String: JSONValue], correlationId: String) throws -> OutboundRequest {
        let value: (String) -> String? = { name in
            if name == "input.rawRequest" { return String(decoding: JSONValue.object(input).serialized, as: UTF8.self) }
            if name.hasPrefix("input.") { return input[String(name.dropFirst("input.".count))].flatMap(Self.plainText) }
            if name.hasPrefix("credentials.") { return self.credentials[String(name.dropFirst("credentials.".count))] }
            return nil
        }
        var headers = try self.action.headerTemplates.mapValues { try VelocityReferences.render($0, value: value) }
        headers["ININ-Correlation-Id"] = correlationId
        headers["ININ-Organization-Id"] = self.organizationId
        headers["ININ-Home-Organization-Id"] = self.organizationId
        return OutboundRequest(
            method: self.action.requestType,
            url: try VelocityReferences.render(self.action.requestURLTemplate, value: value),
            headers: headers,
            body: Array(try VelocityReferences.render(self.action.requestTemplate, value: value).utf8)
        )
    }

    /// An input value as template text: strings as they are, other scalars as JSON; null: none.
    private static func plainText(_ value: JSONValue) -> String? {
        switch value {
        case .null: nil
        case .string(let text): text
        default: String(decoding: value.serialized, as: UTF8.self)
        }
    }

    /// Steps 4 to 6: translation map, defaults, success template, success contract.
    private func outputs(answer: JSONValue, rawBody: [UInt8]) throws -> Result<JSONValue, Failure> {
        var values: [String: JSONValue] = [:]
        for (key, path) in self.action.translationMap {
            if let resolved = try JSONPathSubset.evaluate(path, in: answer) {
                values[key] = resolved
            } else if let fallback = self.action.translationMapDefaults[key] {
                values[key] = try JSONValue.parse(Array(fallback.utf8))
            } else {
                return .failure(.unresolved(key))
            }
        }
        let rendered = try VelocityReferences.render(self.action.successTemplate) { name in
            if name == "rawResult" { return String(decoding: rawBody, as: UTF8.self) }
            guard let value = values[name], value != .null else { return nil }
            return String(decoding: value.serialized, as: UTF8.self)
        }
        guard let result = try? JSONValue.parse(Array(rendered.utf8)) else { return .failure(.templateNotJSON(rendered)) }
        let violations = try JSONSchemaDraft04.violations(of: self.action.successSchema, by: result)
        return violations.isEmpty ? .success(result) : .failure(.outputContract(violations))
    }
}
