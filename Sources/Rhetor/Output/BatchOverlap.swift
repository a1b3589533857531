import Dispatch

/// Overlaps reading and writing with work: batch k is processed on a background thread while
/// the caller reads batch k+1 and then writes batch k-1; results are delivered on the caller's
/// thread in input order.
///
/// Why: reading (splitting lines, copying bytes) and writing run on one thread; while they did,
/// the other workers idled, so two threads gave ~1.3-1.4x instead of ~2x. One batch is processed
/// at a time (the workers are shared), so memory stays bounded by three batches: the one being
/// read, the one being processed, the one being written. With `enabled` false (one thread), the
/// work runs at once on the caller's thread: `--threads 1` stays one thread.
public final class BatchOverlap<Output> {
    public let enabled: Bool
    private var pending: (done: DispatchSemaphore, result: ResultBox)?

    /// Where the background thread leaves its result; read only after `done` is signalled.
    private final class ResultBox: @unchecked Sendable {
        var value: Output?
    }

    public init(enabled: Bool) { self.enabled = enabled }

    /// Waits for the batch in flight, starts `work` (the next batch), then delivers the finished
    /// one while `work` runs; returns what `deliver` returned, or true when nothing was in
    /// flight. After a false return, call `drain()` before the workers' state goes away.
    ///
    /// The caller hands `work` state that it does not touch until the batch is delivered or
    /// drained (the batch, the workers), hence the unchecked transfer to the background thread.
    public func handOver(_ work: @escaping () -> Output, deliver: (Output) -> Bool) -> Bool {
        let finished = waitForPending()
        start(work)
        guard let finished else { return true }
        return deliver(finished)
    }

    /// Delivers the batch in flight, if any (waiting for it); returns what `deliver` returned,
    /// or true when nothing was in flight.
    public func finish(_ deliver: (Output) -> Bool) -> Bool {
        guard let finished = waitForPending() else { return true }
        return deliver(finished)
    }

    /// Waits for the batch in flight and drops its result (a run stopped by --strict).
    public func drain() {
        _ = waitForPending()
    }

    private func waitForPending() -> Output? {
        guard let p = pending else { return nil }
        p.done.wait()
        pending = nil
        return p.result.value
    }

    private func start(_ work: @escaping () -> Output) {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        if enabled {
            nonisolated(unsafe) let work = work
            DispatchQueue.global().async {
                box.value = work()
                done.signal()
            }
        } else {
            box.value = work()
            done.signal()
        }
        pending = (done, box)
    }
}
