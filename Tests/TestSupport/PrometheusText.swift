/// A scrape in the Prometheus text format, read into samples, for checking values by name and
/// labels.
public struct PrometheusText: Sendable {
    /// One line: a series and its value.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let text: String
    public let samples: [Sample]

    /// Reads every sample line; comment lines are skipped.
    public init(_ text: String) {
        self.text = text
        self.samples = text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : Self.sample(String(line))
        }
    }

    /// The value of the series with exactly these labels; nil when there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series of a family (name), with its labels.
    public func series(_ name: String) -> [Sample] {
        self.samples.filter { $0.name == name }
    }

    /// The family names, from the `# TYPE` lines.
    public var families: Set<String> {
        Set(
            self.text.split(separator: "\n").compactMap { line in
                line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
            }
        )
    }

    private static func sample(_ line: String) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)...].dropLast()  // without the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let name = String(rest[..<equals]).trimmingPrefix(",")
            var value = ""
            var index = rest.index(equals, offsetBy: 2)  // past `="`
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                value.append(rest[index])
                index = rest.index(after: index)
            }
            labels[String(name)] = value
            rest = rest[rest.index(after: index)...]
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
}
