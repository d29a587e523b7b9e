/// A header block (lines up to a blank line) and the body after it, as CGI output and HTTP
/// responses both start.
struct HeaderBlock {
    /// The first line (an HTTP status line; for CGI output, just the first header).
    let firstLine: String
    /// Headers by lower-cased name.
    let headers: [String: String]
    /// The bytes after the blank line.
    let body: [UInt8]

    init(_ bytes: [UInt8]) throws {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw ProcessFailure(description: "no header block in \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.firstLine = lines.first ?? ""
        self.headers = headers
        self.body = Array(bytes[(end + 4)...])
    }
}
