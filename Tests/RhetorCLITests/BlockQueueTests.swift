import Foundation
import Synchronization
import Testing
@testable import Rhetor

/// The persistent block workers of `rhetor score --threads N`: every block of every job is
/// rendered once, by one worker at a time per worker index, and each job's outputs come back in
/// block order, whatever order the workers took them in.
@Suite struct BlockQueueTests {
    @Test func everyBlockOnceInOrderPerJob() {
        let workers = 3
        let queue = BlockQueue<Int>(workers: workers)
        // A worker index is used by one thread only: rendering twice at once on one index
        // would share that worker's scratch.
        let busy = Atomic<Int>(0)   // bit k: worker index k is rendering
        let overlaps = Atomic<Int>(0)
        let rendered = Atomic<Int>(0)
        let sizes = [0, 1, 7, 100, 3, 250]
        var jobs: [BlockQueue<Int>.Job] = []
        for (j, size) in sizes.enumerated() {
            let job = BlockQueue<Int>.Job(blocks: size) { worker, block in
                #expect((0..<workers).contains(worker))
                if busy.bitwiseOr(1 << worker, ordering: .acquiringAndReleasing).oldValue & (1 << worker) != 0 { overlaps.add(1, ordering: .relaxed) }
                // Uneven work, so the workers finish blocks out of order.
                var x = UInt64(block &* 7919 &+ j)
                for _ in 0..<((block % 5) * 2_000) { x = x &* 6364136223846793005 &+ 1 }
                rendered.add(x == 42 ? 2 : 1, ordering: .relaxed)
                busy.bitwiseAnd(~(1 << worker), ordering: .acquiringAndReleasing)
                return j * 1_000 + block
            }
            queue.submit(job)
            jobs.append(job)
        }
        for (j, job) in jobs.enumerated() {
            #expect(job.wait() == (0..<sizes[j]).map { j * 1_000 + $0 })
        }
        queue.shutdown()
        #expect(overlaps.load(ordering: .relaxed) == 0)
        #expect(rendered.load(ordering: .relaxed) == sizes.reduce(0, +))
    }

    /// Shutting down with jobs still queued renders them first.
    @Test func shutdownFinishesQueuedBlocks() {
        let queue = BlockQueue<Int>(workers: 2)
        let job = BlockQueue<Int>.Job(blocks: 40) { _, block in block * block }
        queue.submit(job)
        queue.shutdown()
        #expect(job.wait() == (0..<40).map { $0 * $0 })
    }
}
