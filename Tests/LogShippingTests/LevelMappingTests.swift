import Logging
import Testing

@testable import LogShipping

struct LevelMappingTests {
    @Test func swiftLogLevelsMapToLogLamaLevels() {
        let expected: [(Logger.Level, String)] = [
            (.trace, "DEBUG"), (.debug, "DEBUG"), (.info, "INFO"), (.notice, "INFO"),
            (.warning, "WARNING"), (.error, "ERROR"), (.critical, "CRITICAL"),
        ]
        for (level, name) in expected { #expect(level.logLamaName == name, "\(level)") }
        #expect(Set(Logger.Level.allCases.map(\.logLamaName)) == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    }
}
