import Dispatch

/// Overlaps reading with work: batch k is processed on a background thread while the caller
/// reads batch k+1, and results are delivered on the caller's thread in input order.
///
/// Why: reading (splitting lines, copying bytes) and writing run on one thread; while they did,
/// the other workers idled, so two threads gave ~1.3-1.4x instead of ~2x. At most one batch is
/// in flight, so memory stays bounded by two batches. With `enabled` false (one thread), `start`
/// runs the work at once on the caller's thread: `--threads 1` stays one thread.
public final class BatchOverlap<Output> {
    public let enabled: Bool
    private var pending: (done: DispatchSemaphore, result: ResultBox)?

    /// Where the background thread leaves its result; read only after `done` is signalled.
    private final class ResultBox: @unchecked Sendable {
        var value: Output?
    }

    public init(enabled: Bool) { self.enabled = enabled }

    /// Delivers the batch in flight, if any (waiting for it); returns what `deliver` returned, or
    /// true when nothing was in flight.
    public func finish(_ deliver: (Output) -> Bool) -> Bool {
        guard let p = pending else { return true }
        p.done.wait()
        pending = nil
        return deliver(p.result.value!)
    }

    /// Starts `work` (after `finish` delivered the previous batch): in the background when enabled,
    /// else right away, its result kept for the next `finish`.
    ///
    /// The caller hands `work` state that it does not touch until `finish` returns (the batch,
    /// the workers), hence the unchecked transfer to the background thread.
    public func start(_ work: @escaping () -> Output) {
        precondition(pending == nil, "finish the batch in flight first")
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
