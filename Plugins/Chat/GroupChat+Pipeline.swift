import Coordination
import PluginKit

/// The pipeline pattern: stages in order. The first stage's agents answer the user's message
/// (the newest of the group's history); a later stage's agents get `PipelinePlanner.input` —
/// the previous stage's output — as a prompt put after the group's history for their turn
/// only (not stored: the outputs it is made of are). Every message a stage stores carries
/// `metadata.pipeline_stage`. With `parallel_stages` a stage's agents run concurrently,
/// otherwise one after another. A stage's `timeout` covers the whole stage, retries and
/// fallbacks included; an agent that errs or does not answer in time fails, and `on_failure`
/// decides (skip: its output is left out; abort: the request fails with that error, or 504
/// `gateway_timeout` for a timeout, the messages stored so far kept; retry; fallback).
extension GroupChat {
    func pipeline(_ planner: PipelinePlanner, _ message: RoutedMessage) async -> TurnRunner.Outcome {
        var total = TurnRunner.Outcome()
        var outputs: [[PipelinePlanner.Output]] = []
        for stage in planner.stages {
            let input = planner.input(forStage: stage.index, userMessage: message.text, outputs: outputs)
            let prompt = outputs.contains { !$0.isEmpty } ? input : nil
            let deadline = ContinuousClock.now + .milliseconds(stage.timeoutMilliseconds)
            // A stage's agents read the history as the stage began, not each other's outputs.
            let end = messages.newest(.group(message.group.id))
            let agents = stage.agents.map { Optional($0) } + stage.unavailable.map { _ in Optional<Member>.none }
            let ids = stage.agents.map(\.agentID) + stage.unavailable
            let work: @Sendable (Int) async -> StageResult = { position in
                await attempt(agents[position], id: ids[position], stage: stage, planner: planner, prompt: prompt,
                              historyEnd: end, deadline: deadline, message)
            }
            var results: [StageResult] = []
            if stage.parallel {
                results = await withTaskGroup(of: (Int, StageResult).self) { group in
                    for position in ids.indices { group.addTask { (position, await work(position)) } }
                    var gathered = [StageResult](repeating: StageResult(), count: ids.count)
                    for await (position, result) in group { gathered[position] = result }
                    return gathered
                }
            } else {
                for position in ids.indices {
                    let result = await work(position)
                    results.append(result)
                    if result.abort != nil { break }
                }
            }
            var stageOutputs: [PipelinePlanner.Output] = []
            for result in results {
                total.absorb(result.outcome)
                if let output = result.output { stageOutputs.append(output) }
            }
            if let abort = results.first(where: { $0.abort != nil })?.abort {
                total.error = abort
                return total
            }
            outputs.append(stageOutputs)
        }
        return total
    }

    /// One agent's part of a stage, after any retries and fallbacks.
    struct StageResult: Sendable {
        var outcome = TurnRunner.Outcome()
        var output: PipelinePlanner.Output?
        /// Set when the pipeline must stop.
        var abort: HTTPError?
    }

    private func attempt(_ first: Member?, id: String, stage: PipelinePlanner.PlannedStage, planner: PipelinePlanner,
                         prompt: String?, historyEnd: Int64?, deadline: ContinuousClock.Instant,
                         _ message: RoutedMessage) async -> StageResult {
        var result = StageResult()
        var current = first
        var attempt = 1
        var byFallback = false
        while true {
            let failure: HTTPError
            if let member = current {
                let input = message.input(member, metadata: ["pipeline_stage": .string(stage.name)], prompt: prompt,
                                          historyEnd: historyEnd)
                let outcome = ContinuousClock.now < deadline
                    ? await turns.run(member, input, stream: message.stream, deadline: deadline) : nil
                if let outcome {
                    result.outcome.absorb(outcome)
                    if outcome.error == nil, let reply = outcome.reply {
                        result.output = PipelinePlanner.Output(agentName: member.agentName, text: reply.content.text)
                        return result
                    }
                    failure = outcome.error ?? .conflict("The agent \"\(member.agentName)\" gave no answer in the pipeline "
                                                         + "stage \"\(stage.name)\".")
                } else {
                    failure = HTTPError(status: 504, type: "gateway_timeout",
                                        message: "The pipeline stage \"\(stage.name)\" timed out after "
                                            + "\(stage.timeoutMilliseconds) ms waiting for the agent \"\(member.agentName)\".")
                }
            } else {
                failure = .conflict("The pipeline stage \"\(stage.name)\" names the agent \(id), which is not an "
                                    + "available member of the group.")
            }
            switch planner.afterFailure(stage: stage.index, attempt: attempt, byFallback: byFallback) {
            case .skip: return result
            case .abort:
                result.abort = failure
                return result
            case .retry: attempt += 1
            case .fallback(let member):
                current = member
                byFallback = true
            }
        }
    }
}
