import Testing

@testable import Host

@Suite struct StdinQueueTests {
    private func enqueue(_ queue: inout StdinQueue, _ count: Int) -> StdinQueue.Admission {
        [UInt8](repeating: 7, count: count).withUnsafeBytes { queue.enqueue($0) }
    }

    @Test func boundedWithAnyWriteTakenIntoAnEmptyQueue() {
        var queue = StdinQueue(bound: 100)
        #expect(enqueue(&queue, 250) == .queued(first: true))
        #expect(enqueue(&queue, 1) == .busy)
        var pipe: [UInt8] = []
        queue.writeOut { bytes in
            let taken = min(bytes.count, 200 - pipe.count)  // a pipe with room for 200 bytes
            pipe.append(contentsOf: bytes.prefix(taken))
            return taken > 0 ? taken : -1
        }
        #expect(pipe.count == 200 && queue.count == 50)
        let early = queue.takeDrained()  // not empty yet
        #expect(!early)
        #expect(enqueue(&queue, 50) == .queued(first: false))
        #expect(enqueue(&queue, 1) == .busy)
        queue.writeOut { $0.count }
        #expect(queue.count == 0)
        let drained = (queue.takeDrained(), queue.takeDrained())  // told once
        #expect(drained == (true, false))
    }

    @Test func closingRefusesWritesAndDropsWhatWaits() {
        var queue = StdinQueue(bound: 100)
        _ = enqueue(&queue, 10)
        queue.requestClose()
        #expect(queue.closeRequested && !queue.isClosed && queue.count == 10)
        #expect(enqueue(&queue, 1) == .closed)
        queue.close()
        #expect(queue.isClosed && queue.count == 0)
        #expect(enqueue(&queue, 1) == .closed)
    }
}
