/// A node of a YAML document as the actions file reader walks it, with its line for every
/// problem's place. ``LibYAML`` builds it.
struct YAMLNode {
    /// What a scalar is: YAML 1.2's core schema for plain scalars, or its explicit tag.
    enum ScalarType: Equatable {
        case null, bool, integer, float, string

        static let stringTag = "tag:yaml.org,2002:str"

        /// The type of a plain (unquoted, untagged) scalar: `~`/`null`/empty, `true`/`false`,
        /// decimal integers, decimal floats and `.inf`/`.nan`; everything else is text.
        init(plain value: String) {
            switch value {
            case "", "~", "null", "Null", "NULL": self = .null
            case "true", "True", "TRUE", "false", "False", "FALSE": self = .bool
            case ".inf", ".Inf", ".INF", "+.inf", "-.inf", "+.Inf", "-.Inf", ".nan", ".NaN", ".NAN": self = .float
            default:
                let digits = value.utf8.contains { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                if digits, Int64(value) != nil {
                    self = .integer
                } else if digits, value.utf8.allSatisfy({ "0123456789+-.eE".utf8.contains($0) }), Double(value) != nil {
                    self = .float
                } else {
                    self = .string
                }
            }
        }

        /// The type an explicit tag names.
        init(tag: String) {
            switch tag {
            case "tag:yaml.org,2002:null": self = .null
            case "tag:yaml.org,2002:bool": self = .bool
            case "tag:yaml.org,2002:int": self = .integer
            case "tag:yaml.org,2002:float": self = .float
            default: self = .string
            }
        }
    }

    enum Kind {
        case scalar(String, type: ScalarType)
        case sequence([YAMLNode])
        /// The pairs in the file's order.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// The line it starts on, from 1.
    let line: Int
    let kind: Kind
}
