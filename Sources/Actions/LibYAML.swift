import CYAML

/// The whole boundary to libyaml, in one place: text in, a ``YAMLNode`` tree out.
///
/// libyaml facts this file relies on:
/// - `yaml_parser_load` reads one document into a node table; `yaml_document_get_root_node`
///   is NULL for an empty stream. A node's children are indexes into the table, from 1.
/// - An alias is a second reference to the node it names, so the table is a graph: a node met
///   twice while walking is an alias, refused here (it could also repeat a node without end).
/// - `start_mark.line` counts from 0; a failed load leaves the reason in `problem`, its place in
///   `problem_mark`, and `context` when it has one.
/// - The input must outlive the parser, and both the document and the parser are freed by the
///   caller.
enum LibYAML {
    /// Why text is not one YAML document this service reads.
    struct Failure: Error {
        /// The line (from 1), when there is one.
        let line: Int?
        let description: String
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
            var document = yaml_document_t()
            guard yaml_parser_load(&parser, &document) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unreadable"
                let context = parser.context.map { ", \(String(cString: $0))" } ?? ""
                return .failure(Failure(line: Int(parser.problem_mark.line) + 1, description: problem + context))
            }
            defer { yaml_document_delete(&document) }
            guard let root = yaml_document_get_root_node(&document) else { return .success(nil) }
            var walk = Walk(document: &document)
            return Result { () throws(Failure) in try walk.node(root) }
        }
        return try result.get()
    }

    /// Builds the tree, node by node.
    private struct Walk {
        let document: UnsafeMutablePointer<yaml_document_t>
        var visited: Set<Int> = []

        init(document: UnsafeMutablePointer<yaml_document_t>) {
            self.document = document
        }

        mutating func node(_ node: UnsafeMutablePointer<yaml_node_t>) throws(Failure) -> YAMLNode {
            let line = Int(node.pointee.start_mark.line) + 1
            let index = self.document.pointee.nodes.start.distance(to: node)
            guard self.visited.insert(index).inserted else {
                throw Failure(line: line, description: "YAML aliases are not supported here")
            }
            let tag = node.pointee.tag.map { String(cString: $0) }
            switch node.pointee.type {
            case YAML_SCALAR_NODE:
                let scalar = node.pointee.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                // The loader gives an untagged scalar the default tag (str); only a plain one is
                // then resolved by its text.
                let type: YAMLNode.ScalarType =
                    if let tag, tag != YAMLNode.ScalarType.stringTag {
                        YAMLNode.ScalarType(tag: tag)
                    } else if scalar.style == YAML_PLAIN_SCALAR_STYLE {
                        YAMLNode.ScalarType(plain: value)
                    } else {
                        .string
                    }
                return YAMLNode(line: line, kind: .scalar(value, type: type))
            case YAML_SEQUENCE_NODE:
                var elements: [YAMLNode] = []
                var item = node.pointee.data.sequence.items.start
                while let current = item, current != node.pointee.data.sequence.items.top {
                    elements.append(try self.node(self.child(current.pointee)))
                    item = current + 1
                }
                return YAMLNode(line: line, kind: .sequence(elements))
            case YAML_MAPPING_NODE:
                var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                var pair = node.pointee.data.mapping.pairs.start
                while let current = pair, current != node.pointee.data.mapping.pairs.top {
                    pairs.append((try self.node(self.child(current.pointee.key)), try self.node(self.child(current.pointee.value))))
                    pair = current + 1
                }
                return YAMLNode(line: line, kind: .mapping(pairs))
            default:
                throw Failure(line: line, description: "an empty node")
            }
        }

        private func child(_ index: Int32) throws(Failure) -> UnsafeMutablePointer<yaml_node_t> {
            guard let node = yaml_document_get_node(self.document, index) else {
                throw Failure(line: nil, description: "a node refers to one that does not exist")
            }
            return node
        }
    }
}
