import Foundation
import Synchronization
import Testing

@testable import Host

@Suite struct CallDeliveryTests {
    /// What the callbacks saw, in order.
    final class Recorder: Sendable {
        let log = Mutex<[String]>([])
        let resumes = Atomic<Int>(0)
        var entries: [String] { log.withLock { $0 } }

        func callbacks() -> OutboundCallbacks {
            OutboundCallbacks(
                head: { status, _ in self.log.withLock { $0.append("head \(status)") } },
                data: { bytes in self.log.withLock { $0.append("data \(String(decoding: bytes, as: UTF8.self))") } },
                event: nil,
                complete: { outcome, _ in self.log.withLock { $0.append("complete \(outcome)") } })
        }

        func wait(for count: Int) -> Bool {
            for _ in 0..<200 {
                if entries.count >= count { return true }
                usleep(10_000)
            }
            return false
        }
    }

    static let workers = WorkerPool(threads: 4)

    func delivery(_ recorder: Recorder) -> CallDelivery {
        CallDelivery(callbacks: recorder.callbacks(), workers: Self.workers, callbackLoop: nil,
                     resume: { recorder.resumes.add(1, ordering: .relaxed) }, willComplete: {})
    }

    @Test func inOrderAndCompleteExactlyOnce() {
        let recorder = Recorder()
        let delivery = delivery(recorder)
        delivery.push(.head(200, []))
        for piece in ["a", "b", "c"] { delivery.push(.data(Array(piece.utf8))) }
        #expect(delivery.complete(.ok, ""))
        #expect(!delivery.complete(.cancelled, "late"))
        #expect(recorder.wait(for: 5))
        usleep(50_000)
        #expect(recorder.entries == ["head 200", "data a", "data b", "data c", "complete ok"])
    }

    @Test func pauseHoldsDataAndSuccessUntilResumed() {
        let recorder = Recorder()
        let delivery = delivery(recorder)
        delivery.setPaused(true)
        delivery.push(.head(200, []))
        delivery.push(.data(Array("x".utf8)))
        delivery.complete(.ok, "")
        usleep(100_000)
        #expect(recorder.entries.isEmpty && !delivery.wantsInput)
        delivery.setPaused(false)
        #expect(recorder.wait(for: 3))
        #expect(recorder.entries == ["head 200", "data x", "complete ok"])
        #expect(recorder.resumes.load(ordering: .relaxed) >= 1)
    }

    @Test func aFailureWhilePausedIsDeliveredAtOnceWithoutTheHeldData() {
        let recorder = Recorder()
        let delivery = delivery(recorder)
        delivery.setPaused(true)
        delivery.push(.data(Array("held".utf8)))
        delivery.complete(.cancelled, "cancelled")
        #expect(recorder.wait(for: 1))
        usleep(50_000)
        #expect(recorder.entries == ["complete cancelled"])
    }

    @Test func inputStopsPastTheHighWaterMarkAndResumesBelowTheLow() {
        let recorder = Recorder()
        let gate = Mutex(true)
        let slow = CallDelivery(
            callbacks: OutboundCallbacks(head: nil, data: { _ in while gate.withLock({ $0 }) { usleep(1000) } }, event: nil,
                                         complete: { _, _ in }),
            workers: Self.workers, callbackLoop: nil, resume: { recorder.resumes.add(1, ordering: .relaxed) }, willComplete: {})
        let piece = [UInt8](repeating: 0, count: 64 * 1024)
        for _ in 0..<(CallDelivery.highWater / piece.count + 1) { slow.push(.data(piece)) }
        #expect(!slow.wantsInput)
        gate.withLock { $0 = false }
        for _ in 0..<200 where recorder.resumes.load(ordering: .relaxed) == 0 { usleep(10_000) }
        #expect(recorder.resumes.load(ordering: .relaxed) == 1 && slow.wantsInput)
    }
}
