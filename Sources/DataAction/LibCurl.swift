import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// The whole boundary to libcurl, in one place.
///
/// Everything that touches a `curl_*` function lives here, so the rest of the module works with
/// Swift values only. libcurl facts this file relies on:
/// - `curl_global_init` runs once, before any thread uses the library.
/// - An easy handle serves one thread at a time and keeps its connections, TLS sessions and DNS
///   answers between transfers; `curl_easy_reset` clears its options and keeps those. So each
///   thread has one handle of its own, reused for every transfer it makes.
/// - `CURLOPT_NOSIGNAL`: no `SIGALRM` for resolver timeouts, which a threaded process cannot have.
/// - `curl_easy_setopt` copies strings, but keeps the pointer of a header list and of
///   `CURLOPT_POSTFIELDS`: both must live until the transfer ends.
/// - A write callback that takes fewer bytes than it is given ends the transfer with
///   `CURLE_WRITE_ERROR`; `CURLOPT_MAXFILESIZE_LARGE` refuses a body whose declared length is
///   larger before reading it.
/// - `CURLINFO_RESPONSE_CODE` holds the status once the status line arrived, also when the
///   transfer fails later.
/// - `CURLOPT_PROXY` set to "" uses no proxy whatever the environment says.
/// - A kept connection that the server closed before answering is retried once on a new
///   connection; no option turns that off. A failed connect is never retried.
enum LibCurl {
    /// Initialises libcurl once per process; later calls do nothing.
    static func initialise() {
        _ = Self.initialisation
    }

    private static let initialisation: Void = {
        let status = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        precondition(status == CURLE_OK, "curl_global_init failed with \(status.rawValue)")
    }()

    /// What one transfer sends and how.
    struct Transfer {
        var method: String
        var url: String
        var headers: HeaderList
        var body: [UInt8]?
        var timeoutMilliseconds: Int
        var maxBodyBytes: Int
        var tls: UpstreamTLS
        /// The proxy URL; "" for none.
        var proxy: String
    }

    /// What came of one transfer.
    struct Outcome {
        /// `CURLE_OK` or the error code.
        var code: CURLcode
        /// The HTTP status, 0 when no status line arrived.
        var status: Int
        var body: [UInt8]
        /// True when the body passed the transfer's limit; reading stopped there.
        var bodyTooLarge: Bool
        /// libcurl's own words on a failure.
        var errorText: String
    }

    /// Request headers as libcurl keeps them; made once, used by every transfer.
    final class HeaderList: @unchecked Sendable {
        // Sendable: the list is built in init and never changed; libcurl only reads it.
        fileprivate let list: UnsafeMutablePointer<curl_slist>?

        init(_ lines: [String]) {
            var list: UnsafeMutablePointer<curl_slist>?
            for line in lines {
                list = curl_slist_append(list, line)
            }
            self.list = list
        }

        deinit {
            curl_slist_free_all(self.list)
        }
    }

    /// Runs `transfer` on this thread's handle.
    static func perform(_ transfer: Transfer) -> Outcome {
        let handle = Self.threadHandle()
        curl_easy_reset(handle)
        let sink = BodySink(limit: transfer.maxBodyBytes)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = errorBuffer.withUnsafeMutableBufferPointer { errorText in
            withExtendedLifetime((sink, transfer.headers)) {
                Self.configure(handle, for: transfer, sink: sink, errorText: errorText.baseAddress!)
                guard let body = transfer.body else { return curl_easy_perform(handle) }
                return body.withUnsafeBytes { bytes in
                    _ = data_action_curl_set_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                    _ = data_action_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    return curl_easy_perform(handle)
                }
            }
        }
        var status = 0
        _ = data_action_curl_response_code(handle, &status)
        let text = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return Outcome(
            code: code,
            status: status,
            body: sink.bytes,
            bodyTooLarge: sink.overLimit || code == CURLE_FILESIZE_EXCEEDED,
            errorText: text.isEmpty ? String(cString: curl_easy_strerror(code)) : text
        )
    }

    private static func configure(
        _ handle: UnsafeMutableRawPointer,
        for transfer: Transfer,
        sink: BodySink,
        errorText: UnsafeMutablePointer<CChar>
    ) {
        _ = data_action_curl_set_string(handle, CURLOPT_URL, transfer.url)
        _ = data_action_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = data_action_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, ["GET", "POST"].contains(transfer.method) ? nil : transfer.method)
        _ = data_action_curl_set_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        _ = data_action_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = data_action_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = data_action_curl_set_long(handle, CURLOPT_TIMEOUT_MS, transfer.timeoutMilliseconds)
        _ = data_action_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, transfer.timeoutMilliseconds)
        _ = data_action_curl_set_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.maxBodyBytes))
        _ = data_action_curl_set_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(transfer.headers.list))
        _ = data_action_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorText))
        _ = data_action_curl_set_write_callback(handle, BodySink.write)
        _ = data_action_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        _ = data_action_curl_set_string(handle, CURLOPT_PROXY, transfer.proxy)
        if let caFile = transfer.tls.caFile {
            // Instead of the system store, not beside it: Debian's libcurl also reads /etc/ssl/certs.
            _ = data_action_curl_set_string(handle, CURLOPT_CAINFO, caFile)
            _ = data_action_curl_set_string(handle, CURLOPT_CAPATH, nil)
        }
        if let certificate = transfer.tls.clientCertificateFile, let key = transfer.tls.clientKeyFile {
            _ = data_action_curl_set_string(handle, CURLOPT_SSLCERT, certificate)
            _ = data_action_curl_set_string(handle, CURLOPT_SSLKEY, key)
        }
        if !transfer.tls.verify {
            _ = data_action_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = data_action_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// This thread's easy handle, made on first use and cleaned up when the thread ends.
    private static func threadHandle() -> UnsafeMutableRawPointer {
        if let handle = pthread_getspecific(Self.handleKey) {
            return handle
        }
        Self.initialise()
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        pthread_setspecific(Self.handleKey, handle)
        return handle
    }

    private static let handleKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { handle in
            if let handle { curl_easy_cleanup(handle) }
        }
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()

    /// Collects a body up to its limit.
    private final class BodySink {
        let limit: Int
        var bytes: [UInt8] = []
        var overLimit = false

        init(limit: Int) {
            self.limit = limit
        }

        static let write: data_action_curl_write_callback = { data, size, count, context in
            let sink = Unmanaged<BodySink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard sink.bytes.count + length <= sink.limit else {
                sink.overLimit = true
                return 0
            }
            if let data {
                data.withMemoryRebound(to: UInt8.self, capacity: length) {
                    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
            }
            return length
        }
    }
}
