import ServiceKit

/// Service names given on the command line, checked against the port table and put in start order.
public enum ServiceSelection {
    /// The services called `names` (nil or empty: all of them) in the port table's order, which is the
    /// dependency order (each service after those it depends on). Throws `.unknownService` naming the first
    /// unknown name and listing the valid ones.
    public static func resolve(_ names: [String]?) throws(OrchestrationError) -> [ServiceDescriptor] {
        guard let names, !names.isEmpty else { return Ecosystem.services }
        let wanted = Set(names.map { $0.lowercased() })
        if let unknown = names.first(where: { Ecosystem.service($0) == nil }) {
            throw OrchestrationError(.unknownService, message: "unknown service '\(unknown)'; valid: "
                                     + Ecosystem.services.map(\.name).joined(separator: ", "))
        }
        return Ecosystem.services.filter { wanted.contains($0.name) }
    }

    /// `resolve` of a comma-separated list (`loglama,bexy`); blanks around names are ignored.
    public static func resolve(commaSeparated list: String?) throws(OrchestrationError) -> [ServiceDescriptor] {
        try resolve(list?.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty })
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
