import Orchestration
import ServiceKit
import Testing

/// Names -> services in start order; unknown names, from the library and from the `loglama` binary.
@Suite struct ServiceSelectionTests {
    @Test func portTableListsEveryServiceAfterItsDependencies() {
        for (index, service) in Ecosystem.services.enumerated() {
            for dependency in service.dependsOn {
                let position = Ecosystem.services.firstIndex { $0.name == dependency }
                #expect(position.map { $0 < index } == true, "\(service.name) starts before \(dependency)")
            }
        }
    }

    @Test func selectionComesBackInStartOrder() throws {
        #expect(try ServiceSelection.resolve(commaSeparated: "apilama, bexy,LogLama").map(\.name)
                == ["loglama", "bexy", "apilama"])
        #expect(try ServiceSelection.resolve(commaSeparated: nil).map(\.name) == Ecosystem.services.map(\.name))
    }

    @Test func unknownServiceIsNamedWithTheValidOnes() {
        #expect(throws: OrchestrationError.self) { try ServiceSelection.resolve(["loglama", "nope"]) }
        do {
            _ = try ServiceSelection.resolve(["loglama", "nope"])
        } catch {
            #expect(error.code == .unknownService)
            #expect(error.message.contains("'nope'") && error.message.contains("loglama, bexy, pyllm"))
        }
    }

    @Test(arguments: [["start-all", "--services", "loglama,nope"], ["stop-all", "--services", "nope"], ["restart", "nope"]])
    func unknownServiceExitsTwoWithOneLine(arguments: [String]) throws {
        let ecosystem = try TestEcosystem()
        defer { ecosystem.tearDown() }
        let result = try ecosystem.loglama(arguments)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1, "\(result.output)")
        #expect(result.output.contains("unknown service 'nope'") && result.output.contains("weblama"), "\(result.output)")
    }
}
