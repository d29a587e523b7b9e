// libFuzzer target: a request body, as Genesys or anyone on the internet might send it, through
// the service's JSON parser and input reading, to the contract's answer.
//
// Properties checked on every input:
// - it never crashes, hangs or reads out of bounds (AddressSanitizer);
// - a body is either a usable input or a 400 with a message (never another status);
// - the userId's path segment never carries a character that could change the upstream URL;
// - whatever parses serialises back to JSON that parses to the same value.
//
// Built by `make fuzz` with the DataAction sources it needs (they import nothing else).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestBody(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let value = try? JSONValue.parse(bytes) {
        let again = try? JSONValue.parse(value.serialized)
        precondition(again == value, "serialising then parsing changed the value")
    }
    do throws(ContractViolation) {
        let input = try UserLookupInput(body: bytes)
        let segment = input.userId.pathSegment
        precondition(!segment.isEmpty && segment != "." && segment != "..", "empty or dot segment")
        precondition(
            segment.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-._~%".utf8.contains(byte)
            },
            "a path segment with a reserved character"
        )
    } catch {
        precondition(error.status == 400 && !error.message.isEmpty, "a body answered \(error.status)")
    }
    return 0
}
