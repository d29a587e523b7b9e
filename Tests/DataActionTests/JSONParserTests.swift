import DataAction
import JSON
import Testing

/// The request path's JSON parser: strict RFC 8259, UTF-8 checked, depth bounded.
@Suite("JSON parser", .timeLimit(.minutes(3)))
struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test("values of every kind, with whitespace around")
    func values() throws {
        #expect(
            try Self.parse(" {\"a\" : [1, -2.5, true, false, null, \"x\", {}, []] ,\"b\":{\"c\":\"d\"}}\n\t\r")
                == .object([
                    "a": .array([.integer(1), .number(-2.5), .bool(true), .bool(false), .null, .string("x"), .object([:]), .array([])]),
                    "b": .object(["c": .string("d")]),
                ])
        )
        #expect(try Self.parse(#""only a string""#) == .string("only a string"))
        #expect(try Self.parse(#"{"k":1,"k":2}"#) == .object(["k": .integer(2)]))
    }

    @Test("numbers: integers fit 64 bits, everything else is a double")
    func numbers() throws {
        #expect(try Self.parse("0") == .integer(0))
        #expect(try Self.parse("-0") == .integer(0))
        #expect(try Self.parse("9223372036854775807") == .integer(.max))
        #expect(try Self.parse("-9223372036854775808") == .integer(.min))
        #expect(try Self.parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try Self.parse("1.0") == .number(1))
        #expect(try Self.parse("1e3") == .number(1000))
        #expect(try Self.parse("1E-2") == .number(0.01))
        for invalid in ["01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "0x1", "1e999", "NaN", "Infinity"] {
            #expect(throws: JSONParseError.invalidJSON, "\(invalid)") { try Self.parse(invalid) }
        }
    }

    @Test("strings: escapes, surrogate pairs, non-ASCII; control characters and lone surrogates refused")
    func strings() throws {
        #expect(try Self.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try Self.parse(#""\u00e9\u5c71\ud83d\ude00""#) == .string("é山😀"))
        #expect(try Self.parse(#""Zoë 山田 😀""#) == .string("Zoë 山田 😀"))
        #expect(try Self.parse(#""\u0000""#) == .string("\u{0}"))
        for invalid in [#""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\x""#, #""\u12""#, "\"a\nb\"", "\"a\tb\"", #""open"#] {
            #expect(throws: JSONParseError.invalidJSON, "\(invalid)") { try Self.parse(invalid) }
        }
    }

    @Test(
        "invalid UTF-8 is told apart from invalid JSON",
        arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF]]
    )
    func invalidUTF8(sequence: [UInt8]) {
        let bytes = Array(#"{"k":""#.utf8) + sequence + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue.parse(bytes) }
    }

    @Test("syntax errors and trailing text are refused")
    func syntax() {
        for invalid in ["", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1 2]", "tru", "nul", "{} {}", "[]x", "'a'"] {
            #expect(throws: JSONParseError.invalidJSON, "\(invalid)") { try Self.parse(invalid) }
        }
    }

    @Test("nesting up to 512 levels parses; deeper is refused")
    func depth() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try Self.parse(deepest) }
        let deeper = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError.invalidJSON) { try Self.parse(deeper) }
    }

    @Test("what it serializes, it parses back to the same value")
    func roundTrip() throws {
        let value = JSONValue.object([
            "s": .string("q\"\\\n\u{1}é"), "i": .integer(-42), "d": .number(0.5), "a": .array([.null, .bool(true)]),
        ])
        #expect(try JSONValue.parse(value.serialized) == value)
        #expect(try JSONValue.parse(Array(value.prettySerialized.utf8)) == value)
        let escaped = JSONValue.string("a\"b\\c\n\u{1}d\te\r\u{1F}é")
        #expect(String(decoding: escaped.serialized, as: UTF8.self) == #""a\"b\\c\n\u0001d\te\r\u001fé""#)
    }

    static let document = #"""
        {"id":7,"name":"Ada","tags":["vip",3,null],"address":{"city":"London","geo":{"lat":"51.5"}},
         "items":[{"title":"Mug","qty":2,"price":"4.25"},{"title":"Tea"},{"qty":1},"loose",[{"title":"nested"}]],
         "empty":[],"nothing":null,"errors":[{"message":"Throttled"}],"esc":"a\u00e9\ud83d\ude00\n","na\u006De2":"escaped key",
         "caf\u00e9":1,"café":2}
        """#

    @Test(
        "a selective parse gives every selected path the value a whole parse gives it, and builds nothing else",
        arguments: [
            ["$.name", "$.address.city", "$.missing", "$.nothing", "$.name2", "$['café']"],
            ["$.items[0].title", "$.items[*].title", "$.items[1]", "$.items[4]"],
            ["$.tags", "$.esc", "$.address.geo", "$.errors"],
            ["$.items[*].qty", "$.items[*].price", "$.name.first", "$.tags[1]"],
        ]
    )
    func selectiveParse(paths: [String]) throws {
        let bytes = Array(Self.document.utf8)
        let whole = try JSONValue.parse(bytes)
        let parsed = try paths.map { try JSONPath($0, allowingEveryElement: true) }
        let selective = try JSONValue.parse(bytes, selecting: JSONSelection(parsed.map { ($0, .whole) }))
        for path in parsed {
            if path.namesList {
                #expect(path.elements(inObject: selective.objectValue ?? [:]) == path.elements(inObject: whole.objectValue ?? [:]), "\(path)")
            } else {
                #expect(path.evaluate(in: selective) == path.evaluate(in: whole), "\(path)")
            }
        }
        // What no path names is not built.
        let members = try #require(selective.objectValue)
        // The first member each path names: `$.name…` or `$['name']…`.
        let named = Set(
            paths.map { path in
                path.hasPrefix("$['") ? String(path.dropFirst(3).prefix { $0 != "'" }) : String(path.dropFirst(2).prefix { $0 != "." && $0 != "[" })
            }
        )
        #expect(Set(members.keys).isSubset(of: named), "\(members.keys.sorted())")
    }

    @Test("a length and a kind are read without the elements or members")
    func lengthAndKind() throws {
        let selection = JSONSelection([(try JSONPath("$.items"), .length), (try JSONPath("$.address"), .kind), (try JSONPath("$.empty"), .length)])
        let selective = try JSONValue.parse(Array(Self.document.utf8), selecting: selection)
        #expect(selective.objectValue?["items"] == .array([.null, .null, .null, .null, .null]))
        #expect(selective.objectValue?["address"] == .object([:]))
        #expect(selective.objectValue?["empty"] == .array([]))
    }

    @Test(
        "what a selective parse steps over is checked as strictly as a whole parse",
        arguments: [
            #"{"a":1,"b":"\ud800"}"#, #"{"a":1,"b":[1,}"#, #"{"a":1,"b":1e999}"#, "{\"a\":1,\"b\":\"tab\there\"}", #"{"a":1,"b":tru}"#,
            #"{"a":1,"b":{"c" 1}}"#, #"{"a":1,"b":01}"#, #"{"a":1,"b":"\x"}"#, #"{"a":1} x"#,
            #"{"a":1,"b":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
            #"{"a":1,"b":"# + String(repeating: "9", count: 400) + "}", #"{"a":1,"b":-0."# + String(repeating: "9", count: 20) + "e400}",
            #"{"a":1,"b":1.}"#, #"{"a":1,"b":-}"#, #"{"a":1,"b":1e+}"#,
        ]
    )
    func selectiveStrictness(text: String) throws {
        let selection = JSONSelection([(try JSONPath("$.a"), .whole)])
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8), selecting: selection) }
    }

    @Test(
        "a number stepped over is accepted where a whole parse accepts it",
        arguments: ["0", "-12", "3.25", "1e3", "-1.5E-300", String(repeating: "9", count: 299), "0." + String(repeating: "1", count: 400)]
    )
    func selectiveNumbers(number: String) throws {
        let text = #"{"a":1,"b":"# + number + "}"
        let selection = JSONSelection([(try JSONPath("$.a"), .whole)])
        #expect(try JSONValue.parse(Array(text.utf8)).objectValue?["a"] == .integer(1))
        #expect(try JSONValue.parse(Array(text.utf8), selecting: selection).objectValue?["a"] == .integer(1))
    }

    @Test("a string is read eight bytes at a time without missing a quote, an escape, a control or a non-ASCII byte at any place")
    func stopBytesAtEveryOffset() throws {
        let selection = JSONSelection([(try JSONPath("$.a"), .whole)])
        for offset in 0..<24 {
            let plain = String(repeating: "a", count: offset)
            let tail = String(repeating: "b", count: 9)
            for (inner, decoded) in [("", ""), (#"\n"#, "\n"), (#"\""#, "\""), ("\u{7F}", "\u{7F}"), ("é", "é"), ("😀", "😀")] {
                let text = #"{"a":""# + plain + inner + tail + #"","b":""# + plain + inner + tail + #""}"#
                #expect(try JSONValue.parse(Array(text.utf8)).objectValue?["a"] == .string(plain + decoded + tail), "\(text)")
                #expect(try JSONValue.parse(Array(text.utf8), selecting: selection).objectValue?["a"] == .string(plain + decoded + tail))
            }
            for invalid: UInt8 in [0x01, 0x0A, 0x1F, 0xC3, 0xFF] {
                let bytes = Array(#"{"a":1,"b":""#.utf8) + Array(plain.utf8) + [invalid] + Array(tail.utf8) + Array(#""}"#.utf8)
                #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
                #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes, selecting: selection) }
            }
        }
    }

    @Test("invalid UTF-8 in a part stepped over is refused as such")
    func selectiveUTF8() throws {
        let selection = JSONSelection([(try JSONPath("$.a"), .whole)])
        let invalid: [UInt8] = Array(#"{"a":1,"b":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue.parse(invalid, selecting: selection) }
    }
}
