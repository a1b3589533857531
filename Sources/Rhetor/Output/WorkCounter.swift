import Synchronization

/// Hands out item indices `0..<count` to the threads of one parallel pass, each index once, in
/// increasing order: a thread that finishes early takes the next item instead of idling while
/// another works through a fixed share (article costs vary a hundredfold, and this machine's
/// vCPUs are sometimes descheduled). Where an item is rendered does not change its bytes.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)
    let count: Int

    init(count: Int) { self.count = count }

    /// The next index nobody has taken, or nil when all are taken.
    func take() -> Int? {
        let i = next.add(1, ordering: .relaxed).oldValue
        return i < count ? i : nil
    }
}
