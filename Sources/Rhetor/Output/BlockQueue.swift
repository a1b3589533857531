import Foundation
import Synchronization

/// Renders the blocks of batches on worker threads that live for the whole run: the caller
/// submits a batch's blocks as soon as the batch is read and waits for a batch only when it is
/// that batch's turn to be written, so the workers go from one batch's last blocks straight to
/// the next batch's first ones.
///
/// Why: fork-join per batch (`DispatchQueue.concurrentPerform`, started on a dispatch thread
/// after the batch before was written) left cores idle at every batch. Measured on the 500k
/// sentences with `rhetor score --threads 2` (61 batches): the pass's second thread joined
/// each batch ~0.8 ms late (~50 ms in all) and the two threads ended each batch ~0.2 ms apart
/// (~13 ms), in runs of ~480 ms. Here a worker waits only when no block of any submitted batch
/// is left, which the reader's lead of one batch makes rare.
///
/// Which worker renders a block does not change the block's output, so the output is the same
/// for any number of workers.
final class BlockQueue<Output>: @unchecked Sendable {
    /// A batch's blocks and their outputs; `wait()` returns them once every block is rendered.
    final class Job: @unchecked Sendable {
        let blocks: Int
        /// Renders block `block` on worker `worker` (0..<workers).
        let render: (_ worker: Int, _ block: Int) -> Output
        /// Written by the workers, each block's slot once; read after `done`.
        private let outputs: UnsafeMutablePointer<Output?>
        private let remaining: Atomic<Int>
        private let done = DispatchSemaphore(value: 0)

        init(blocks: Int, render: @escaping (_ worker: Int, _ block: Int) -> Output) {
            self.blocks = blocks
            self.render = render
            outputs = .allocate(capacity: max(1, blocks))
            outputs.initialize(repeating: nil, count: blocks)
            remaining = Atomic(blocks)
            if blocks == 0 { done.signal() }
        }

        deinit {
            outputs.deinitialize(count: blocks)
            outputs.deallocate()
        }

        fileprivate func run(block: Int, worker: Int) {
            outputs[block] = render(worker, block)
            if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { done.signal() }
        }

        /// Waits until every block is rendered and returns the outputs in block order.
        func wait() -> [Output] {
            done.wait()
            return (0..<blocks).map { outputs[$0]! }
        }
    }

    /// The job `handOver` queued last: delivered by the next `handOver` or by `finish`. Read
    /// and written on the caller's thread only.
    private var inFlight: Job?
    /// Submitted jobs with blocks not yet taken, oldest first, and the next block of the first.
    private var pending: [Job] = []
    private var nextBlock = 0
    private var stopping = false
    private let condition = NSCondition()
    private var threads: [Thread] = []
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `workers` threads; worker k renders with `render`'s `worker` argument k.
    init(workers: Int) {
        for k in 0..<workers {
            let thread = Thread { [self] in work(as: k) }
            thread.name = "rhetor-block-worker-\(k)"
            threads.append(thread)
            thread.start()
        }
    }

    /// Queues a job's blocks behind those already submitted; returns at once.
    func submit(_ job: Job) {
        guard job.blocks > 0 else { return }
        condition.lock()
        pending.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `job`, then waits for the job queued before it and delivers its outputs: the
    /// caller reads the next batch while this one renders, and batches are delivered in the
    /// order they were handed over. Returns what `deliver` returned; when that is false (the run
    /// must stop), `job` is rendered to the end and dropped, since the workers' state must
    /// outlive it.
    func handOver(_ job: Job, deliver: ([Output]) -> Bool) -> Bool {
        submit(job)
        let previous = inFlight
        inFlight = job
        guard let previous, !deliver(previous.wait()) else { return true }
        _ = job.wait()
        inFlight = nil
        return false
    }

    /// Delivers the job handed over last, if any; returns what `deliver` returned, or true when
    /// none is in flight.
    @discardableResult
    func finish(_ deliver: ([Output]) -> Bool) -> Bool {
        guard let last = inFlight else { return true }
        inFlight = nil
        return deliver(last.wait())
    }

    /// Stops the workers once every submitted block is rendered, and waits for them to exit.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        for _ in threads { exited.wait() }
        threads = []
    }

    private func work(as worker: Int) {
        while let (job, block) = take() {
            job.run(block: block, worker: worker)
        }
        exited.signal()
    }

    /// The next block of the oldest job with blocks left, waiting for one; nil when stopping
    /// and none is left.
    private func take() -> (Job, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty {
            if stopping { return nil }
            condition.wait()
        }
        let job = pending[0]
        let block = nextBlock
        nextBlock += 1
        if nextBlock == job.blocks {
            pending.removeFirst()
            nextBlock = 0
        }
        return (job, block)
    }
}
