/// Comparing what a caller sent with a lower-case ASCII word, letters in any case, on the bytes
/// (no lower-cased copy is made).
enum ASCIICase {
    /// True when `presented` is `lowercased` with any of its letters in upper case.
    static func matches(_ presented: UnsafeBufferPointer<UInt8>, lowercased expected: String) -> Bool {
        var expected = expected
        return expected.withUTF8 { expected in
            guard presented.count == expected.count else { return false }
            for index in 0..<expected.count {
                let byte = presented[index]
                guard byte == expected[index] || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == expected[index]) else {
                    return false
                }
            }
            return true
        }
    }
}
