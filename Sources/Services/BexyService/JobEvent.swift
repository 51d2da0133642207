import Bexy
import Contracts
import FoundationEssentials
import Jail

/// One event of a job's stream (`GET /jobs/{id}/events`): output as it is produced, then how the job ended.
enum JobEvent: Sendable {
    /// Text the program wrote to `stdout` or `stderr` (whole UTF-8 characters; invalid bytes as U+FFFD).
    case output(StandardStream, String)
    /// The job ended with this `/execute` result object (also when it was cancelled).
    case result(ExecutionResult)
    /// The job ended without a result to show (its audit record could not be made durable).
    case failure(JobFailure)

    /// The event in Server-Sent Events form: `event: stdout|stderr|result|error`, one `data:` line of JSON (the
    /// output text as a JSON string, the result object, or `{"error": {code, message}}`), a blank line.
    var serverSent: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let (name, data): (String, Data?)
        switch self {
        case .output(let stream, let text): (name, data) = (stream.rawValue, try? encoder.encode(text))
        case .result(let result): (name, data) = ("result", try? encoder.encode(result))
        case .failure(let failure): (name, data) = ("error", try? encoder.encode(["error": failure]))
        }
        // Encoding a String or these plain structs cannot fail; compact JSON has no line breaks.
        return "event: \(name)\ndata: \(String(decoding: data ?? Data("null".utf8), as: UTF8.self))\n\n"
    }
}

/// Why a job has no result: an error code and message, as in the service's error envelope.
struct JobFailure: Sendable, Encodable {
    var code: String
    var message: String
}
