import CFastCGI

#if canImport(Glibc)
import Glibc
#endif

/// The whole boundary to libfcgi, in one place.
///
/// Everything that touches a `FCGX_*` function or an `FCGX_Request` field lives here, so the
/// rest of the module works with Swift values only. libfcgi facts this file relies on:
/// - `FCGX_Init` runs once, before any thread uses the library.
/// - The server accepts connections itself (to wake cleanly on shutdown and never block in
///   `accept` inside libfcgi) and hands each one to libfcgi through `ipcFd`; `listen_sock` is
///   `-1`, so libfcgi never accepts on its own: where it would, it fails and returns.
/// - Strings from `envp` die at the next accept or finish: they are copied at once.
/// - `FCGX_FPrintF` is variadic and unavailable in Swift: output goes through `FCGX_PutStr`.
/// - Ending a request on a connection it does not keep, `FCGX_Finish_r` shuts the write side and
///   reads until the web server closes (two seconds at most) before it closes, so that unread
///   bytes cannot turn the close into a reset that loses the answer; on a request marked
///   `detached` it only closes.
enum LibFastCGI {
    /// Initialises libfcgi once per process; later calls do nothing.
    static func initialise() {
        _ = Self.initialisation
    }

    private static let initialisation: Void = {
        let status = FCGX_Init()
        precondition(status == 0, "FCGX_Init failed with \(status)")
    }()

    /// Opens a listening socket as libfcgi does: a unix socket at a path, or TCP (IPv4) at
    /// `host:port` when the text has a colon. The descriptor, or -1 with `errno` set.
    static func openSocket(_ address: String, backlog: Int32) -> Int32 {
        Self.initialise()
        return FCGX_OpenSocket(address, backlog)
    }

    /// One libfcgi request slot, reused for every request a worker serves.
    ///
    /// Not thread-safe: each worker owns one.
    final class RequestSlot {
        private let request: UnsafeMutablePointer<FCGX_Request>

        init() {
            LibFastCGI.initialise()
            self.request = .allocate(capacity: 1)
            FCGX_InitRequest(self.request, -1, 0)
        }

        deinit {
            FCGX_Free(self.request, 1)
            self.request.deallocate()
        }

        /// The connection this slot holds open, or nil between connections.
        var connection: Int32? {
            self.request.pointee.ipcFd >= 0 ? self.request.pointee.ipcFd : nil
        }

        /// Reads the next request's begin record and parameters from `connection`
        /// (a newly accepted one, or the kept one when nil).
        ///
        /// - Returns: false when the connection closed or broke the protocol; libfcgi has then
        ///   closed it and the slot holds no connection.
        func readRequest(on newConnection: Int32?) -> Bool {
            if let newConnection {
                // FCGX_Accept_r first finishes the previous request and closes its connection
                // unless it is kept; marking the new one kept makes libfcgi read from it instead.
                self.request.pointee.ipcFd = newConnection
                self.request.pointee.keepConnection = 1
            }
            return FCGX_Accept_r(self.request) == 0
        }

        /// The last request's parameters: its memory is used again for the next request's
        /// once that request has been answered (and nothing holds it any more).
        private var lastParameters = FastCGIParameters()

        /// Copies every parameter of the current request out of libfcgi, in one piece.
        func parameters() -> FastCGIParameters {
            var parameters = self.lastParameters
            self.lastParameters = FastCGIParameters()
            defer { self.lastParameters = parameters }
            guard let environment = self.request.pointee.envp else {
                parameters.removeAll()
                return parameters
            }
            parameters.replace(withEnvironment: environment)
            return parameters
        }

        /// Reads up to `count` body bytes into `buffer`; returns how many it read (0 at the end).
        func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
            let read = FCGX_GetStr(base.assumingMemoryBound(to: CChar.self), Int32(buffer.count), self.request.pointee.`in`)
            return Int(max(read, 0))
        }

        /// True when reading the body failed (the web server went away or broke the protocol).
        var bodyStreamFailed: Bool {
            FCGX_GetError(self.request.pointee.`in`) != 0
        }

        /// Writes response bytes; returns false when the web server is gone.
        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, raw.count > 0 else { return true }
                let written = FCGX_PutStr(base.assumingMemoryBound(to: CChar.self), Int32(raw.count), self.request.pointee.out)
                return written == Int32(raw.count)
            }
        }

        /// Shuts the connection both ways after a write failed, so ending the request fails at
        /// once: libfcgi would otherwise write the unwritten rest again, and wait out the stall
        /// limit a second time.
        func abandonConnection() {
            if let connection = self.connection {
                shutdown(connection, Int32(SHUT_RDWR))
            }
        }

        /// Ends the current request: flushes the output and sends the end record.
        ///
        /// - Parameter keepConnection: false closes the connection even if the web server asked
        ///   to keep it (used when the body was not read to its end, so the connection holds
        ///   bytes that belong to no request).
        func finish(keepConnection: Bool) {
            if !keepConnection {
                // The rest of the body may still be on its way: libfcgi's careful close reads it.
                self.request.pointee.keepConnection = 0
            } else if self.request.pointee.keepConnection == 0, let connection, data_action_unread_bytes(connection) == 0 {
                // Read to its end with nothing left unread, there is no reset to guard against: a
                // plain close instead of libfcgi's shutdown, wait and read saves three system calls.
                self.request.pointee.detached = 1
            }
            FCGX_Finish_r(self.request)
            self.request.pointee.detached = 0
        }

        /// Closes the connection the slot holds, if any.
        func close() {
            FCGX_Free(self.request, 1)
        }
    }
}
