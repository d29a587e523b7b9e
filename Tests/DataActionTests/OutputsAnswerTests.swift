import Actions
import JSON
import Testing

@testable import DataAction

/// An action's 200 answer is written straight as text (``OutputsAnswer``); it must be the text
/// the JSON writer makes of the same outputs as an object.
@Suite("Outputs answer", .timeLimit(.minutes(1)))
struct OutputsAnswerTests {
    static let outputs = [
        ActionOutput(name: "zeta", source: .path(try! JSONPath("$.z")), type: .string),
        ActionOutput(name: "found", source: .found, type: .boolean),
        ActionOutput(name: "Alpha \"quoted\"\n", source: .path(try! JSONPath("$.a")), type: .number),
        ActionOutput(name: "count", source: .count(try! JSONPath("$.items")), type: .integer),
        ActionOutput(name: "titles", source: .list(try! JSONPath("$.items[*].title", allowingEveryElement: true)), type: .string),
        ActionOutput(name: "missing", source: .path(try! JSONPath("$.nowhere")), type: .string),
    ]

    static let records: [[String: JSONValue]?] = [
        nil,
        [:],
        [
            "z": .string("last \\ one é"), "a": .number(1.5),
            "items": .array([.object(["title": .string("one")]), .object(["title": .integer(2)]), .object(["title": .string("three")])]),
        ],
        ["z": .integer(3), "a": .integer(12), "items": .null],
    ]

    @Test("the answer written straight is the JSON writer's text of the same outputs, keys sorted, outputs without a value left out")
    func sameAsTheWriter() throws {
        let answer = OutputsAnswer(Self.outputs)
        for record in Self.records {
            var members: [String: JSONValue] = [:]
            for output in Self.outputs {
                if let value = output.value(for: record) { members[output.name] = value }
            }
            let written = answer.response(for: record)
            #expect(written.status == 200)
            #expect(
                String(decoding: written.serializedBody, as: UTF8.self)
                    == String(decoding: JSONValue.object(["outputs": .object(members)]).serialized, as: UTF8.self)
            )
        }
    }

    @Test("an action whose outputs all lack a value answers an empty outputs object")
    func emptyOutputs() {
        let answer = OutputsAnswer([ActionOutput(name: "name", source: .path(try! JSONPath("$.name")), type: .string)])
        #expect(String(decoding: answer.response(for: nil).serializedBody, as: UTF8.self) == #"{"outputs":{}}"#)
    }
}
