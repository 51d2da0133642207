import ArgumentParser
import Bexy
import FoundationEssentials

/// `bexy profiles [NAME]`: list the profiles, or show one as JSON.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles", abstract: "List the sandbox profiles, or show one.")

    @Argument(help: "A profile to show in full.")
    var name: String?

    func run() throws {
        let store = CLIConfiguration.load().settings.profiles
        if let name {
            let profile: Profile
            do throws(ProfileError) {
                profile = try store.profile(named: name)
            } catch {
                fail(error.description, code: 2)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            writeAll(1, Array(try encoder.encode(profile)) + [0x0a])
            return
        }
        var rows = [["NAME", "WALL", "CPU", "MEMORY", "PIDS", "DESCRIPTION"]]
        for name in store.names() {
            do throws(ProfileError) {
                let p = try store.profile(named: name)
                rows.append([p.name, "\(p.limits.wallTimeMs / 1000)s", "\(p.limits.cpuTimeMs / 1000)s",
                             "\(p.limits.memoryBytes / 1_048_576)MiB", "\(p.limits.pids)", p.description])
            } catch {
                rows.append([name, "-", "-", "-", "-", "invalid: \(error.description)"])
            }
        }
        writeAll(1, Array(Table.render(rows).utf8))
    }
}

/// Plain-text tables for the terminal.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
