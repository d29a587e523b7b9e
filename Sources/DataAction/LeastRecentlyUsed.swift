/// A bounded map that forgets its least recently used entry when full.
///
/// Entries live in one array, linked into a most-recent-first list by index, so a lookup, an
/// insert and an eviction are O(1) and cost no allocation once the array has grown.
struct LeastRecentlyUsed<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    /// The most entries kept.
    let capacity: Int
    private var nodes: [Node] = []
    private var indexByKey: [Key: Int] = [:]
    private var newest: Int?
    private var oldest: Int?

    /// Creates an empty map holding at most `capacity` (at least 1) entries.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many entries it holds.
    var count: Int { self.indexByKey.count }

    /// The value for `key`, which becomes the most recently used; nil when absent.
    mutating func value(for key: Key) -> Value? {
        guard let index = self.indexByKey[key] else { return nil }
        self.moveToNewest(index)
        return self.nodes[index].value
    }

    /// Stores `value` for `key` as the most recently used entry, forgetting the least recently
    /// used one when the map is full.
    mutating func set(_ value: Value, for key: Key) {
        if let index = self.indexByKey[key] {
            self.nodes[index].value = value
            self.moveToNewest(index)
            return
        }
        let index: Int
        if self.nodes.count < self.capacity {
            index = self.nodes.count
            self.nodes.append(Node(key: key, value: value, newer: nil, older: nil))
        } else {
            // Full: reuse the oldest entry's slot.
            index = self.oldest!
            self.unlink(index)
            self.indexByKey[self.nodes[index].key] = nil
            self.nodes[index] = Node(key: key, value: value, newer: nil, older: nil)
        }
        self.indexByKey[key] = index
        self.linkAsNewest(index)
    }

    private mutating func moveToNewest(_ index: Int) {
        guard self.newest != index else { return }
        self.unlink(index)
        self.linkAsNewest(index)
    }

    private mutating func unlink(_ index: Int) {
        let newer = self.nodes[index].newer
        let older = self.nodes[index].older
        if let newer { self.nodes[newer].older = older } else { self.newest = older }
        if let older { self.nodes[older].newer = newer } else { self.oldest = newer }
        self.nodes[index].newer = nil
        self.nodes[index].older = nil
    }

    private mutating func linkAsNewest(_ index: Int) {
        self.nodes[index].older = self.newest
        if let newest { self.nodes[newest].newer = index }
        self.newest = index
        if self.oldest == nil { self.oldest = index }
    }
}

/// It holds only keys, values and indexes, so it is as sendable as they are (the private node
/// type hides that from the compiler).
extension LeastRecentlyUsed: @unchecked Sendable where Key: Sendable, Value: Sendable {}
