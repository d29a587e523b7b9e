/// A user id from a Data Action request, checked to be one safe URL path segment.
public struct UserIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The id as the caller sent it (an integer becomes its decimal text).
    public let value: String

    /// The longest id accepted, in Unicode scalars.
    public static let maximumLength = 128

    /// Checks `value`; nil when it is empty, `.` or `..`, too long, or holds `/`, `?`, `#` or a
    /// control character.
    public init?(_ value: String) {
        guard !value.isEmpty, value != ".", value != "..", value.unicodeScalars.count <= Self.maximumLength else {
            return nil
        }
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F..<0xA0: return nil
            case UInt32(UInt8(ascii: "/")), UInt32(UInt8(ascii: "?")), UInt32(UInt8(ascii: "#")): return nil
            default: continue
            }
        }
        self.value = value
    }

    public var description: String { self.value }

    /// The id percent-encoded as one path segment: every byte outside RFC 3986's unreserved
    /// set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, so nothing the caller sends can change the
    /// path, query or host of the upstream URL.
    public var pathSegment: String {
        var encoded = ""
        encoded.reserveCapacity(self.value.utf8.count)
        for byte in self.value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
