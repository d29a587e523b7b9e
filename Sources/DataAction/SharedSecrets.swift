#if canImport(Glibc)
import Glibc
#endif

/// The bearer secrets Genesys may present: the current one and, during a rotation, the
/// previous one.
public struct SharedSecrets: Sendable {
    private let accepted: [[UInt8]]

    /// Creates the set from the current secret and an optional previous one.
    public init(current: String, previous: String?) {
        self.accepted = [Array(current.utf8)] + (previous.map { [Array($0.utf8)] } ?? [])
    }

    /// True when `authorization` is `Bearer <one of the secrets>`.
    ///
    /// The scheme is matched in any case (RFC 9110). Every secret is compared, each in time
    /// that does not depend on where the bytes differ, so timing tells an attacker nothing.
    public func accepts(authorization: String?) -> Bool {
        guard var authorization else { return false }
        return authorization.withUTF8 { self.accepts(authorization: $0) }
    }

    /// ``accepts(authorization:)`` on the header's bytes.
    public func accepts(authorization header: UnsafeBufferPointer<UInt8>) -> Bool {
        // The scheme is the first word (after any leading spaces), the credentials all that
        // follows its one space, without trailing blanks.
        var start = 0
        while start < header.count && header[start] == UInt8(ascii: " ") { start += 1 }
        var end = start
        while end < header.count && header[end] != UInt8(ascii: " ") { end += 1 }
        guard ASCIICase.matches(UnsafeBufferPointer(rebasing: header[start..<end]), lowercased: "bearer"), end + 1 < header.count else {
            return false
        }
        var last = header.count
        while last > end + 1 && (header[last - 1] == UInt8(ascii: " ") || header[last - 1] == UInt8(ascii: "\t")) { last -= 1 }
        let presented = UnsafeBufferPointer(rebasing: header[(end + 1)..<last])
        var matched = false
        for secret in self.accepted {
            matched = secret.withUnsafeBufferPointer { Self.constantTimeEquals(presented, $0) } || matched
        }
        return matched
    }

    /// True when `text` contains one of the secrets anywhere.
    ///
    /// The log writes a few values as the caller sent them (the correlation id); one that
    /// carries a secret, by mistake or on purpose, is not written, so no request can put a
    /// secret into the journal. Found by the request-path fuzzer.
    public func occur(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            self.accepted.contains { secret in Self.contains(secret, in: bytes) }
        }
    }

    /// A plain byte search: once per request on a 36-character UUID, where a generic
    /// collection search was measurably slow, and usually over at the length check.
    private static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        return needle.withUnsafeBufferPointer { needle in
            for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
                if memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0 { return true }
            }
            return false
        }
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        var difference: UInt8 = lhs.count == rhs.count ? 0 : 1
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
