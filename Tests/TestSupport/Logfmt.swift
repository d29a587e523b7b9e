/// Reads a line as logfmt does (github.com/go-logfmt/logfmt): `key=value` pairs and bare keys,
/// separated by spaces; a value in double quotes may hold spaces, `=` and `\"`/`\\` escapes.
/// Returns every pair in order; a bare key has the value "".
public func logfmtPairs(_ line: String) -> [(key: String, value: String)] {
    var pairs: [(key: String, value: String)] = []
    var rest = Substring(line)
    while true {
        rest = rest.drop { $0 == " " }
        guard !rest.isEmpty else { return pairs }
        let key = rest.prefix { $0 != " " && $0 != "=" && $0 != "\"" }
        rest = rest.dropFirst(key.count)
        guard rest.first == "=" else {
            if key.isEmpty { rest = rest.dropFirst() } else { pairs.append((String(key), "")) }
            continue
        }
        rest = rest.dropFirst()
        var value = ""
        if rest.first == "\"" {
            rest = rest.dropFirst()
            while let character = rest.first {
                rest = rest.dropFirst()
                if character == "\"" { break }
                if character == "\\", let escaped = rest.first {
                    rest = rest.dropFirst()
                    switch escaped {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    default: value.append(escaped)
                    }
                } else {
                    value.append(character)
                }
            }
        } else {
            let bare = rest.prefix { $0 != " " }
            value = String(bare)
            rest = rest.dropFirst(bare.count)
        }
        pairs.append((String(key), value))
    }
}
