/// Reads a request body up to a byte limit, never holding more than the limit in memory.
struct RequestBodyReader {
    /// The largest body kept.
    let maxBytes: Int

    /// Something the body can be read from in chunks.
    protocol Source {
        /// Reads up to `buffer.count` bytes; 0 at the end.
        func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int
        /// True when the stream broke before its end.
        var bodyStreamFailed: Bool { get }
    }

    /// Reads the body.
    ///
    /// - Parameter declaredLength: the `CONTENT_LENGTH` parameter; a declared length over the
    ///   limit answers ``FastCGIRequest/Body/tooLarge`` without reading anything.
    /// - Returns: the body, or nil when the stream broke or ended before the declared length.
    func read(declaredLength: String?, from source: some Source) -> FastCGIRequest.Body? {
        let declared = declaredLength.flatMap { Int($0) }
        if let declared, declared > self.maxBytes {
            return .tooLarge
        }
        // One byte more than the limit tells an over-long body from one exactly at the limit.
        let capacity = self.maxBytes + 1
        var bytes = [UInt8](repeating: 0, count: min(capacity, declared.map { $0 + 1 } ?? 16_384))
        var count = 0
        while count < capacity {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, capacity - bytes.count)))
            }
            let read = bytes.withUnsafeMutableBytes { buffer in
                source.readBody(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            }
            if read == 0 { break }
            count += read
        }
        if count > self.maxBytes {
            return .tooLarge
        }
        if source.bodyStreamFailed || (declared.map { count < $0 } ?? false) {
            return nil
        }
        bytes.removeSubrange(count...)
        return .complete(bytes)
    }
}

extension LibFastCGI.RequestSlot: RequestBodyReader.Source {}
