import Foundation
import Testing
import VeritasRunner

@Suite("runner configuration")
struct RunnerConfigurationTests {
    @Test("config/runner.yaml holds the defaults; the environment and flags override it")
    func layers() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/runner.yaml").standardized.path
        let fromFile = try RunnerConfiguration.load(file: file, environment: [:])
        var defaults = RunnerConfiguration()
        defaults.runnerID = fromFile.runnerID
        defaults.dataDirectory = "./runner-data"
        #expect(fromFile == defaults)

        let overridden = try RunnerConfiguration.load(
            file: file,
            environment: ["VERITAS_RUNNER_CAPACITY": "7", "VERITAS_WRITER_RUNNERS_ENDPOINT": "tcp://writer:5556", "VERITAS_RUNNER_ID": "r-1"],
            overrides: ["runner.capacity": "9"])
        #expect(overridden.capacity == 9)
        #expect(overridden.writerEndpoints == ["tcp://writer:5556"])
        #expect(overridden.runnerID == "r-1")
        #expect(throws: ConfigurationError.self) { try RunnerConfiguration.load(file: nil, environment: ["VERITAS_RUNNER_ID": "../bad"]) }
    }
}
