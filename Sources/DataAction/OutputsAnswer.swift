import Actions
import JSON

/// An action's 200 answer, `{"outputs":{…}}`, written straight as JSON text: the outputs in the
/// order of their names, as the JSON writer orders an object's keys, each key written once when
/// the service starts. No dictionary is built and sorted per call.
struct OutputsAnswer: Sendable {
    /// The outputs in the order of their names, and each one's key as JSON text (`"name":`).
    /// Two arrays, not one of pairs: reading the output out of a pair copied the whole pair.
    private let outputs: [ActionOutput]
    private let keys: [[UInt8]]

    init(_ outputs: [ActionOutput]) {
        // A name given twice (only possible in code) answers with the later output, as a
        // dictionary would.
        var byName: [String: ActionOutput] = [:]
        for output in outputs { byName[output.name] = output }
        let names = byName.keys.sorted()
        self.outputs = names.map { byName[$0]! }
        self.keys = names.map { name in
            var key = JSONValue.string(name).serialized
            key.append(UInt8(ascii: ":"))
            return key
        }
    }

    /// The answer for a record, or for none. An output without a value is left out.
    func response(for record: [String: JSONValue]?) -> DataActionResponse {
        var body: [UInt8] = []
        body.reserveCapacity(256)
        body.append(contentsOf: #"{"outputs":{"#.utf8)
        var first = true
        self.outputs.withUnsafeBufferPointer { outputs in
            self.keys.withUnsafeBufferPointer { keys in
                for index in outputs.indices {
                    guard let value = outputs[index].value(for: record) else { continue }
                    if !first { body.append(UInt8(ascii: ",")) }
                    first = false
                    body.append(contentsOf: keys[index])
                    value.append(to: &body)
                }
            }
        }
        body.append(contentsOf: "}}".utf8)
        return DataActionResponse(status: 200, serializedBody: body)
    }
}
