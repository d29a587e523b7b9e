/// `application/x-www-form-urlencoded` (RFC 6749 Appendix B): unreserved bytes as they
/// are, a space as `+`, everything else `%XX`.
func formEncoded(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
            encoded.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: " "):
            encoded += "+"
        default:
            encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
        }
    }
    return encoded
}
