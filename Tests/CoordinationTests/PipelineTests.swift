import Testing
@testable import Coordination

@Suite struct PipelineTests {
    static let members = [member("a"), member("b"), member("c", suspended: true), member("d")]

    static func planner(parallel: Bool = false, _ stages: [PipelinePattern.Stage]) throws -> PipelinePlanner {
        try PipelinePlanner(group: group(.pipeline(PipelinePattern(stages: stages, parallelStages: parallel)), members))
    }

    @Test func stagesComeInOrderWithTheirMembersTimeoutsAndFailureActions() throws {
        let planner = try Self.planner(parallel: true, [
            .init(name: "draft", agentIDs: ["a"], timeoutMilliseconds: 60000, onFailure: .abort),
            .init(name: "review", agentIDs: ["d", "b"], timeoutMilliseconds: 1000, onFailure: .retry(maxAttempts: 2)),
        ])
        let stages = planner.stages
        #expect(stages.map(\.name) == ["draft", "review"])
        #expect(stages.map(\.index) == [0, 1])
        #expect(stages[1].agents.map(\.agentID) == ["d", "b"])
        #expect(stages.map(\.timeoutMilliseconds) == [60000, 1000])
        #expect(stages.map(\.onFailure) == [.abort, .retry(maxAttempts: 2)])
        #expect(stages.allSatisfy { $0.parallel })
        #expect(try Self.planner([.init(name: "s", agentIDs: ["a"], timeoutMilliseconds: 1)]).stages[0].parallel == false)
    }

    @Test func suspendedAndNonMemberAgentsAreListedAsUnavailable() throws {
        let stage = try Self.planner([.init(name: "s", agentIDs: ["c", "a", "stranger"], timeoutMilliseconds: 5)]).stages[0]
        #expect(stage.agents.map(\.agentID) == ["a"])
        #expect(stage.unavailable == ["c", "stranger"])
    }

    @Test func eachStageGetsThePreviousStagesOutput() throws {
        let planner = try Self.planner([
            .init(name: "one", agentIDs: ["a"], timeoutMilliseconds: 5),
            .init(name: "two", agentIDs: ["b", "d"], timeoutMilliseconds: 5),
            .init(name: "three", agentIDs: ["a"], timeoutMilliseconds: 5),
        ])
        #expect(planner.input(forStage: 0, userMessage: "hello", outputs: []) == "hello")
        let first = [PipelinePlanner.Output(agentName: "a", text: "draft")]
        #expect(planner.input(forStage: 1, userMessage: "hello", outputs: [first]) == "draft")
        let second = [PipelinePlanner.Output(agentName: "b", text: "fix x"), .init(agentName: "d", text: "fix y")]
        #expect(planner.input(forStage: 2, userMessage: "hello", outputs: [first, second]) == "[b]\nfix x\n\n[d]\nfix y")
    }

    @Test func aStageWithoutOutputPassesItsInputOn() throws {
        let planner = try Self.planner([
            .init(name: "one", agentIDs: ["a"], timeoutMilliseconds: 5),
            .init(name: "two", agentIDs: ["b"], timeoutMilliseconds: 5, onFailure: .skip),
            .init(name: "three", agentIDs: ["d"], timeoutMilliseconds: 5),
        ])
        #expect(planner.input(forStage: 2, userMessage: "m", outputs: [[.init(agentName: "a", text: "A")], []]) == "A")
        #expect(planner.input(forStage: 1, userMessage: "m", outputs: [[]]) == "m")
    }

    @Test func onFailureSkipAbortRetryAndFallback() throws {
        let planner = try Self.planner([
            .init(name: "skip", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .skip),
            .init(name: "abort", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .abort),
            .init(name: "retry", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .retry(maxAttempts: 2)),
            .init(name: "fallback", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .fallback(agentID: "d")),
            .init(name: "dead fallback", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .fallback(agentID: "c")),
            .init(name: "stranger fallback", agentIDs: ["a"], timeoutMilliseconds: 5, onFailure: .fallback(agentID: "x")),
        ])
        #expect(planner.afterFailure(stage: 0, attempt: 1) == .skip)
        #expect(planner.afterFailure(stage: 1, attempt: 1) == .abort)
        // max_attempts further attempts after the first failure, then abort.
        #expect((1...3).map { planner.afterFailure(stage: 2, attempt: $0) } == [.retry, .retry, .abort])
        #expect(planner.afterFailure(stage: 3, attempt: 1) == .fallback(Self.members[3]))
        #expect(planner.afterFailure(stage: 3, attempt: 1, byFallback: true) == .abort)
        #expect(planner.afterFailure(stage: 4, attempt: 1) == .abort)
        #expect(planner.afterFailure(stage: 5, attempt: 1) == .abort)
        #expect(planner.afterFailure(stage: 99, attempt: 1) == .abort)
    }
}
