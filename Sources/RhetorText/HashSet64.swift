/// A set of 64-bit hashes that are already well mixed (term hashes): open addressing with linear
/// probing, no per-operation hashing, sized once for at most `capacity` members.
public struct HashSet64: Sendable {
    @usableFromInline var slots: [UInt64]
    @usableFromInline let mask: Int
    /// 0 marks an empty slot, so the key 0 is kept aside.
    @usableFromInline var hasZero = false

    public init(capacity: Int) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    /// A set holding `keys`, sized at four slots per key so most lookups end at the first slot.
    public init(_ keys: [UInt64]) {
        self.init(capacity: keys.count * 2)
        for k in keys { insert(k) }
    }

    public mutating func insert(_ key: UInt64) {
        if key == 0 { hasZero = true; return }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let s = slots[i]
            if s == key { return }
            if s == 0 { slots[i] = key; return }
            i = (i + 1) & mask
        }
    }

    /// Inlinable: asked for every word of an article by the quote extractor, where the call
    /// cost as much as the probe.
    @inlinable
    public func contains(_ key: UInt64) -> Bool {
        if key == 0 { return hasZero }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let s = slots[i]
            if s == key { return true }
            if s == 0 { return false }
            i = (i + 1) & mask
        }
    }
}
