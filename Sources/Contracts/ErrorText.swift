/// Small helpers for readable error messages about wire bodies and data files.
public enum ErrorText {
    /// A one-line description of a decoding error, without Swift's debug noise.
    public static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound:
            return "missing required field"
        case .typeMismatch(let type, _):
            return "wrong type, expected \(type)"
        case .valueNotFound(let type, _):
            return "missing value, expected \(type)"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError { return "\(context.debugDescription) (\(underlying))" }
            return context.debugDescription
        @unknown default:
            return "\(decoding)"
        }
    }

    /// `text` in double quotes, for error messages.
    public static func quoted(_ text: String) -> String {
        "\"\(text)\""
    }
}
