// JSON decoding of LogLama ingest bodies: ServiceHTTP's `JSONParser` against Foundation's decoders, each producing
// a `JSONValue`. `make bench` runs it (`swift run -c release JSONDecodingBenchmark [records] [rounds]`).
// A benchmark, not a test: it prints numbers, and whether each decoder gives the same value as `JSONParser`.
import Foundation
import Contracts
import ServiceHTTP

/// One realistic `POST /api/logs` body: `records` log records, each with a free-form `context` of mixed values.
func logBatch(records: Int, seed: Int) -> Data {
    var logs: [[String: Any]] = []
    for i in 0..<records {
        logs.append([
            "level": ["DEBUG", "INFO", "WARNING", "ERROR"][i % 4],
            "message": "worker \(seed) request \(i) finished: GET /api/items?page=\(i % 7) -> 200 \u{e9}t\u{e9} \"ok\"",
            "logger_name": "shellama.http",
            "component": "shellama",
            "timestamp": "2026-12-03T06:18:36.\(100 + i % 900)Z",
            "context": [
                "request_id": UUID().uuidString,
                "user": "user-\(i % 13)",
                "duration_ms": Double(i % 1000) / 7.0,
                "attempt": i % 3,
                "ok": i % 5 != 0,
                "error": NSNull(),
                "tags": ["http", "api", "v\(i % 3)"],
                "peer": ["host": "10.0.\(i % 255).\(seed % 255)", "port": 40000 + i],
                "sizes": [i, i * 2, i * 3, Double(i) + 0.5],
            ] as [String: Any],
        ])
    }
    return try! JSONSerialization.data(withJSONObject: ["logs": logs])
}

/// `JSONSerialization` to Foundation objects, then to `JSONValue`.
func viaSerialization(_ data: Data) throws -> JSONValue {
    func convert(_ object: Any) -> JSONValue {
        switch object {
        case let dictionary as [String: Any]: return .object(dictionary.mapValues(convert))
        case let array as [Any]: return .array(array.map(convert))
        case let string as String: return .string(string)
        case is NSNull: return .null
        case let number as NSNumber:
            switch UInt8(bitPattern: number.objCType.pointee) {
            case UInt8(ascii: "c"): return .bool(number.boolValue)
            case UInt8(ascii: "d"), UInt8(ascii: "f"): return .double(number.doubleValue)
            case UInt8(ascii: "Q") where number.uint64Value > UInt64(Int64.max): return .double(number.doubleValue)
            default: return .integer(number.int64Value)
            }
        default: return .null
        }
    }
    return convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
}

/// `JSONDecoder` into `JSONValue` through `Decodable`: each value's kind is found by trying them in turn.
struct DecodedJSON: Decodable {
    var value: JSONValue
    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(DecodedJSON.self).value) }
            value = .array(values)
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys {
                members[key.stringValue] = try object.decode(DecodedJSON.self, forKey: key).value
            }
            value = .object(members)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { value = .null }
            else if let bool = try? single.decode(Bool.self) { value = .bool(bool) }
            else if let integer = try? single.decode(Int64.self) { value = .integer(integer) }
            else if let double = try? single.decode(Double.self) { value = .double(double) }
            else { value = .string(try single.decode(String.self)) }
        }
    }
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

func viaDecoder(_ data: Data) throws -> JSONValue {
    try JSONDecoder().decode(DecodedJSON.self, from: data).value
}

func viaParser(_ data: Data) throws -> JSONValue {
    try data.withUnsafeBytes { try JSONParser.parse($0) }
}

/// Median seconds per call of `decode` over `bodies`, over `rounds` rounds.
func measure(_ bodies: [Data], rounds: Int, _ decode: (Data) throws -> JSONValue) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for body in bodies { _ = try decode(body) }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(bodies.count))
    }
    return times.sorted()[times.count / 2]
}

let arguments = CommandLine.arguments.dropFirst()
let records = arguments.first.flatMap { Int($0) } ?? 500
let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 15
let bodies = (0..<8).map { logBatch(records: records, seed: $0) }
let megabytes = Double(bodies.map(\.count).reduce(0, +)) / Double(bodies.count) / 1e6

let reference = try bodies.map(viaParser)
let methods: [(name: String, decode: (Data) throws -> JSONValue)] = [
    ("JSONParser (ServiceHTTP)", viaParser),
    ("JSONSerialization -> JSONValue", viaSerialization),
    ("JSONDecoder -> JSONValue", viaDecoder),
]
print("JSON decoding of a LogLama log batch: \(records) records, \(String(format: "%.2f", megabytes)) MB per body, "
      + "median of \(rounds) rounds x \(bodies.count) bodies; same value = the same JSONValue as JSONParser's")
var parserTime = 0.0
for method in methods {
    let same = try zip(bodies, reference).allSatisfy { body, value in try method.decode(body) == value }
    let time = try measure(bodies, rounds: rounds, method.decode)
    if parserTime == 0 { parserTime = time }
    let name = method.name.padding(toLength: 31, withPad: " ", startingAt: 0)
    print("  " + name + String(format: " %8.2f ms/body %8.1f MB/s %6.2fx", time * 1e3, megabytes / time,
                               time / parserTime) + "  same value: " + (same ? "yes" : "NO"))
}
