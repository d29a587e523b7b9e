/// The parts of a JSON document a reader will look at: the members and elements along a set of
/// paths. ``JSONValue/parse(_:selecting:)`` builds only those and steps over the rest, checking
/// it as strictly as a whole parse, so an upstream answer of a few KiB costs the values an
/// action reads instead of an object per member and a string per key.
public final class JSONSelection: Sendable {
    /// Whether the value here is read whole (the end of a path).
    let isWhole: Bool
    /// Whether an array here is read for its length only: its elements are stepped over, but
    /// counted.
    let isLength: Bool
    /// The members read, by name, each with what is read of it.
    let members: [String: JSONSelection]
    /// The same with each name's UTF-8, which a key is compared with before it becomes a String.
    let memberNames: [(utf8: [UInt8], name: String, selection: JSONSelection)]
    /// The elements read, by index.
    let elements: [Int: JSONSelection]
    /// What is read of every element (`[*]`).
    let everyElement: JSONSelection?

    private init(
        isWhole: Bool,
        isLength: Bool,
        members: [String: JSONSelection],
        elements: [Int: JSONSelection],
        everyElement: JSONSelection?
    ) {
        self.isWhole = isWhole
        self.isLength = isLength
        self.members = members
        self.memberNames = members.map { (Array($0.key.utf8), $0.key, $0.value) }
        self.elements = elements
        self.everyElement = everyElement
    }

    /// How much of the value a path ends at is read.
    public enum Extent: Sendable {
        /// All of it.
        case whole
        /// An array's length.
        case length
        /// What kind of value it is: an object's members and an array's elements are not read.
        case kind
    }

    /// The selection that reads, for each path, the value it ends at to `extent`.
    public convenience init(_ paths: [(path: JSONPath, extent: Extent)]) {
        self.init(ends: paths.map { (steps: $0.path.steps[...], extent: $0.extent) })
    }

    private typealias End = (steps: ArraySlice<JSONPath.Step>, extent: Extent)

    private convenience init(ends: [End]) {
        var isWhole = false
        var isLength = false
        var members: [String: [End]] = [:]
        var elements: [Int: [End]] = [:]
        var every: [End] = []
        for end in ends {
            let rest = (steps: end.steps.dropFirst(), extent: end.extent)
            switch end.steps.first {
            case nil:
                switch end.extent {
                case .whole: isWhole = true
                case .length: isLength = true
                case .kind: break
                }
            case .member(let name)?: members[name, default: []].append(rest)
            case .index(let index)?: elements[index, default: []].append(rest)
            case .everyElement?: every.append(rest)
            }
        }
        self.init(
            isWhole: isWhole,
            isLength: isLength,
            members: members.mapValues { JSONSelection(ends: $0) },
            // An element named by its index is also one of every element: it is read for both.
            elements: elements.mapValues { JSONSelection(ends: $0 + every) },
            everyElement: every.isEmpty ? nil : JSONSelection(ends: every)
        )
    }

    /// The member whose name is these UTF-8 bytes, and its name; nil when it is not read.
    func member(utf8 key: UnsafeBufferPointer<UInt8>) -> (name: String, selection: JSONSelection)? {
        for member in self.memberNames where member.utf8.count == key.count && member.utf8.elementsEqual(key) {
            return (member.name, member.selection)
        }
        return nil
    }

    /// What is read of element `index` of an array here; nil when it is only counted.
    func element(_ index: Int) -> JSONSelection? {
        self.elements[index] ?? self.everyElement
    }
}
