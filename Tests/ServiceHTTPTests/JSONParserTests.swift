import Testing

import ServiceHTTP

@Suite("JSON parser") struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"""
             {"s": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "i": -42, "big": 12345678901234567890, "d": 2.5e-3,
              "z": 0, "t": true, "f": false, "n": null, "a": [1, [2, {}], []], "o": {"k": "v"}, "é": "ü"}
            """#)
        #expect(value == .object([
            "s": .string("a\"b\\c/d\n\té😀"), "i": .integer(-42), "big": .double(1.2345678901234567e19),
            "d": .double(0.0025), "z": .integer(0), "t": .bool(true), "f": .bool(false), "n": .null,
            "a": .array([.integer(1), .array([.integer(2), .object([:])]), .array([])]),
            "o": .object(["k": .string("v")]), "é": .string("ü"),
        ]))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "'x'", "\"unterminated",
        "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "\"tab\there\"", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "[1] [2]", "1e999", "\"\\u12g4\"",
    ])
    func rejects(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]  // "\xC3(" is not UTF-8
        #expect(throws: JSONParser.Failure.self) {
            try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        }
    }

    @Test func capsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(fine)
    }

    @Test func serializationRoundTrips() throws {
        let value = try JSONParser.parse(#"{"b": [1, 2.5, null, true, "x\u0001\"y"], "a": {"c": "é\n"}}"#)
        #expect(value.serialized == #"{"a":{"c":"é\n"},"b":[1,2.5,null,true,"x\u0001\"y"]}"#)
        #expect(try JSONParser.parse(value.serialized) == value)
    }
}
