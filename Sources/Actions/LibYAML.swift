import CYAML

/// The whole boundary to libyaml, in one place: text in, a ``YAMLNode`` tree out.
///
/// libyaml facts this file relies on:
/// - `yaml_parser_parse` hands over one event at a time (a scalar, the start or end of a
///   mapping or sequence, an alias); each event is freed with `yaml_event_delete`. Its scanner
///   costs more per token the deeper the flow nesting, so reading a file nested thousands deep
///   to the end takes time that grows with the square of the depth: the reader stops at
///   ``maximumDepth`` instead, having read little more than that.
/// - A scalar's `tag` is NULL when none is written; the parser resolves `!!str` to
///   `tag:yaml.org,2002:str`. Its `style` tells a plain scalar from a quoted one.
/// - An alias repeats a node by its anchor: refused here (it could also repeat a node without
///   end).
/// - `start_mark.line` counts from 0; a failed parse leaves the reason in `problem`, its place in
///   `problem_mark`, and `context` when it has one.
/// - The input must outlive the parser, which the caller frees.
enum LibYAML {
    /// The deepest nesting read, the scalars inside included; an actions file needs about eight.
    static let maximumDepth = 64

    /// Why text is not one YAML document this service reads.
    struct Failure: Error {
        /// The line (from 1), when there is one.
        let line: Int?
        let description: String
        /// False when the text is YAML but nested deeper than this reader goes.
        var isYAMLError = true
    }

    /// Parses the first document of `text`; nil for an empty one.
    static func parse(_ text: String) throws(Failure) -> YAMLNode? {
        var bytes = Array(text.utf8)
        let result: Result<YAMLNode?, Failure> = bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .failure(Failure(line: nil, description: "libyaml could not start"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return Result { () throws(Failure) in try Self.firstDocument(&parser) }
        }
        return try result.get()
    }

    /// A mapping or sequence being read: its line and what it holds so far.
    private struct Open {
        let line: Int
        let isMapping: Bool
        var elements: [YAMLNode] = []

        var node: YAMLNode {
            guard self.isMapping else { return YAMLNode(line: self.line, kind: .sequence(self.elements)) }
            let pairs = stride(from: 0, to: self.elements.count - 1, by: 2).map { (key: self.elements[$0], value: self.elements[$0 + 1]) }
            return YAMLNode(line: self.line, kind: .mapping(pairs))
        }
    }

    /// Reads events until the first document's root is complete, with a stack instead of
    /// recursion.
    private static func firstDocument(_ parser: inout yaml_parser_t) throws(Failure) -> YAMLNode? {
        var open: [Open] = []
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unreadable"
                let context = parser.context.map { ", \(String(cString: $0))" } ?? ""
                throw Failure(line: Int(parser.problem_mark.line) + 1, description: problem + context)
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let complete: YAMLNode
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
                guard open.count < Self.maximumDepth else { throw Self.tooDeep(line) }
                open.append(Open(line: line, isMapping: event.type == YAML_MAPPING_START_EVENT))
                continue
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                complete = open.removeLast().node
            case YAML_SCALAR_EVENT:
                guard open.count < Self.maximumDepth else { throw Self.tooDeep(line) }
                complete = Self.scalar(event.data.scalar, line: line)
            case YAML_ALIAS_EVENT:
                throw Failure(line: line, description: "YAML aliases are not supported here")
            default:
                continue
            }
            guard !open.isEmpty else { return complete }
            open[open.count - 1].elements.append(complete)
        }
    }

    private static func tooDeep(_ line: Int) -> Failure {
        Failure(line: line, description: "nested deeper than \(Self.maximumDepth) levels; an actions file needs a few", isYAMLError: false)
    }

    private static func scalar(_ scalar: yaml_event_t.__Unnamed_union_data.__Unnamed_struct_scalar, line: Int) -> YAMLNode {
        let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
        let tag = scalar.tag.map { String(cString: $0) }
        // Untagged (or `!!str`), only a plain scalar is resolved by its text.
        let type: YAMLNode.ScalarType =
            if let tag, tag != YAMLNode.ScalarType.stringTag {
                YAMLNode.ScalarType(tag: tag)
            } else if scalar.style == YAML_PLAIN_SCALAR_STYLE {
                YAMLNode.ScalarType(plain: value)
            } else {
                .string
            }
        return YAMLNode(line: line, kind: .scalar(value, type: type))
    }
}
