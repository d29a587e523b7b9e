/// Comparing what a caller sent with a lower-case ASCII word, letters in any case, on the bytes
/// (no lower-cased copy is made).
enum ASCIICase {
    /// True when `presented` is `lowercased` with any of its letters in upper case.
    static func matches(_ presented: some Collection<UInt8>, lowercased expected: some Collection<UInt8>) -> Bool {
        presented.count == expected.count
            && zip(presented, expected).allSatisfy { presented, expected in
                presented == expected || (presented >= UInt8(ascii: "A") && presented <= UInt8(ascii: "Z") && presented | 0x20 == expected)
            }
    }
}
