import Contracts

extension JSONValue {
    /// Parses JSON text with `JSONParser`; `nil` if it is not valid JSON.
    public static func parse(_ text: String) -> JSONValue? {
        try? JSONParser.parse(text)
    }
}
