import PluginABI
import PluginKit
import Synchronization

/// The caller's `pattern_completion_sink`, and the order its functions are called in: one at
/// a time and in order for one call, whichever worker thread has something to report. A
/// thread that finds another one delivering leaves its item in the queue for it. Nothing is
/// delivered before `open()` (called as `complete` returns: the header promises no callback
/// before that), and what waited is then delivered from a host timer, on a worker.
final class CompletionSink: Sendable {
    private let raw: SinkPointers
    private let host: PluginHost
    private let outbox = Mutex(Outbox())

    private struct Outbox {
        var queue: [Item] = []
        /// Delivering now, or not yet open (either way, a new item just waits in the queue).
        var delivering = true
        /// on_complete is queued: nothing after it is accepted.
        var closed = false
    }

    private enum Item {
        case delta(ReplyAssembler.Delta)
        case complete(CompletionOutcome)
    }

    init(_ sink: pattern_completion_sink, host: PluginHost) {
        raw = SinkPointers(sink: sink)
        self.host = host
    }

    /// `complete` has returned: from now on callbacks may run.
    func open() {
        let waiting = outbox.withLock { box -> Bool in
            guard box.queue.isEmpty else { return true }
            box.delivering = false
            return false
        }
        guard waiting else { return }
        if host.timer(afterMilliseconds: 0, { [self] _ in drain() }) == nil { drain() }
    }

    func delta(_ delta: ReplyAssembler.Delta) { deliver(.delta(delta)) }

    func complete(_ outcome: CompletionOutcome) { deliver(.complete(outcome)) }

    private func deliver(_ item: Item) {
        let deliverNow = outbox.withLock { box -> Bool in
            guard !box.closed else { return false }
            if case .complete = item { box.closed = true }
            box.queue.append(item)
            guard !box.delivering else { return false }
            box.delivering = true
            return true
        }
        if deliverNow { drain() }
    }

    /// Delivers until the queue is empty; only the thread that set `delivering` runs it.
    private func drain() {
        while let next = outbox.withLock({ box -> Item? in
            guard !box.queue.isEmpty else {
                box.delivering = false
                return nil
            }
            return box.queue.removeFirst()
        }) {
            call(next)
        }
    }

    private func call(_ item: Item) {
        let sink = raw.sink
        switch item {
        case .delta(let delta):
            guard let onDelta = sink.on_delta else { return }
            withABIString(delta.kind) { kind in withABIString(delta.text) { onDelta(sink.userdata, kind, $0) } }
        case .complete(let outcome):
            let bytes = outcome.json.jsonBytes
            withABIBytes(bytes) { sink.on_complete?(sink.userdata, outcome.status, $0) }
        }
    }
}

// @unchecked: C function pointers and the caller's userdata, which the header keeps valid until on_complete returns.
struct SinkPointers: @unchecked Sendable {
    let sink: pattern_completion_sink
}
