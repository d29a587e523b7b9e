import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The whole boundary to libcurl, in one place.
///
/// Everything that touches a `curl_*` function lives here, so the rest of the module works with
/// Swift values only. libcurl facts this file relies on:
/// - `curl_global_init` runs once, before any thread uses the library.
/// - An easy handle serves one thread at a time and keeps its options, connections, TLS
///   sessions and DNS answers between transfers. So each thread has one handle per
///   ``Profile`` (an upstream client), configured once and reused for every transfer: the
///   options that change per transfer are the URL, the method, the body and the header list.
/// - `CURLOPT_NOSIGNAL`: no `SIGALRM` for resolver timeouts, which a threaded process cannot have.
/// - `curl_easy_setopt` copies strings, but keeps the pointer of a header list and of
///   `CURLOPT_POSTFIELDS`: both are set before each transfer and cleared after it.
/// - A write callback that takes fewer bytes than it is given ends the transfer with
///   `CURLE_WRITE_ERROR`; `CURLOPT_MAXFILESIZE_LARGE` refuses a body whose declared length is
///   larger before reading it.
/// - `CURLINFO_RESPONSE_CODE` holds the status once the status line arrived, also when the
///   transfer fails later.
/// - `CURLOPT_PROXY` set to "" uses no proxy whatever the environment says.
/// - `CURLOPT_CAINFO` alone adds to Debian's default `CURLOPT_CAPATH` (/etc/ssl/certs); clearing
///   the path makes the file the only trust.
/// - A kept connection that the server closed before answering is retried once on a new
///   connection; no option turns that off. A failed connect is never retried.
/// - `curl_easy_setopt` refuses an option it does not know, was not built with, or whose value
///   is out of range (a negative timeout, a string over 8 MB) by its result: every result is
///   checked. `curl_easy_init` and `curl_slist_append` return NULL when memory runs out.
enum LibCurl {
    /// Initialises libcurl once per process; later calls do nothing.
    static func initialise() {
        _ = Self.initialisation
    }

    private static let initialisation: Void = {
        let status = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        precondition(status == CURLE_OK, "curl_global_init failed with \(status.rawValue)")
    }()

    /// What stays the same across one client's transfers: set on a thread's handle once.
    final class Profile: Sendable {
        private static let lastIdentifier = Atomic<Int>(0)
        /// Unique for the process's life: a thread's handles are found by it.
        let identifier: Int
        let timeoutMilliseconds: Int
        let maxBodyBytes: Int
        let tls: UpstreamTLS
        /// The proxy URL; "" for none.
        let proxy: String

        init(timeoutMilliseconds: Int, maxBodyBytes: Int, tls: UpstreamTLS, proxy: String) {
            self.identifier = Self.lastIdentifier.add(1, ordering: .relaxed).newValue
            self.timeoutMilliseconds = timeoutMilliseconds
            self.maxBodyBytes = maxBodyBytes
            self.tls = tls
            self.proxy = proxy
        }
    }

    /// What came of one transfer.
    struct Outcome {
        /// `CURLE_OK` or the error code.
        var code: CURLcode
        /// The HTTP status, 0 when no status line arrived.
        var status: Int
        var body: [UInt8]
        /// True when the body passed the profile's limit; reading stopped there.
        var bodyTooLarge: Bool
        /// libcurl's own words on a failure; empty on success.
        var errorText: String

        /// Why the transfer gave no answer; nil when it ended well.
        var failure: UpstreamFailure? { self.code == CURLE_OK ? nil : LibCurl.failure(self) }
    }

    /// The failure of a transfer that ended without a usable answer, with a short,
    /// secret-free reason for the log.
    static func failure(_ outcome: Outcome) -> UpstreamFailure {
        let said = String(outcome.errorText.prefix(160))
        switch outcome.code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT:
            return .unreachable(reason: said.contains("refused") ? "connection refused" : "cannot connect: \(said)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .unreachable(reason: "name not resolved: \(said)")
        case CURLE_GOT_NOTHING:
            return .unreachable(reason: "connection closed by the upstream before it answered")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            return .unreachable(reason: said.contains("reset") ? "connection reset" : "connection broken: \(said)")
        case CURLE_PARTIAL_FILE:
            return .unreachable(reason: "connection closed by the upstream in the middle of its answer")
        case CURLE_PEER_FAILED_VERIFICATION:
            return .unreachable(reason: "TLS: the upstream's certificate is not trusted (UPSTREAM_CA_FILE): \(said)")
        case CURLE_SSL_CONNECT_ERROR:
            return .unreachable(reason: "TLS handshake failed: \(said)")
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return .local(reason: "TLS: a configured certificate or key cannot be used: \(said)")
        case CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNSUPPORTED_PROTOCOL:
            return .local(reason: "libcurl error \(outcome.code.rawValue): \(said)")
        default:
            return .unreachable(reason: "libcurl error \(outcome.code.rawValue): \(said)")
        }
    }

    /// An option libcurl refused, or a handle or list it could not make.
    struct Refusal: Error, CustomStringConvertible {
        /// The option (`CURLOPT_URL`) or the function (`curl_easy_init`).
        let option: String
        /// libcurl's words.
        let text: String

        var description: String { "libcurl refused \(self.option): \(self.text)" }
    }

    /// Request headers as libcurl keeps them; made once, used by every transfer.
    final class HeaderList: @unchecked Sendable {
        // Sendable: the list is built in init and never changed; libcurl only reads it.
        fileprivate let list: UnsafeMutablePointer<curl_slist>?

        init(_ lines: [String]) throws(Refusal) {
            var list: UnsafeMutablePointer<curl_slist>?
            for line in lines {
                guard let longer = curl_slist_append(list, line) else {
                    curl_slist_free_all(list)
                    throw Refusal(option: "curl_slist_append", text: "out of memory")
                }
                list = longer
            }
            self.list = list
        }

        deinit {
            curl_slist_free_all(self.list)
        }
    }

    /// Whether libcurl takes every option of `profile`: the set-up a worker's handle will have,
    /// tried once on a handle of its own.
    static func check(_ profile: Profile) throws(Refusal) {
        _ = try EasyHandle(profile: profile)
    }

    /// Runs one transfer on this thread's handle for `profile`; a body makes it a POST (or
    /// `method`) with that body. A refused option or a handle libcurl could not make is thrown;
    /// the handle is made again by the next call.
    static func perform(_ profile: Profile, method: String, url: String, headers: HeaderList, body: [UInt8]?) throws(Refusal) -> Outcome {
        let handle = try ThreadHandles.current.handle(for: profile)
        let curl = handle.curl
        handle.sink.bytes.removeAll(keepingCapacity: true)
        handle.sink.overLimit = false
        handle.errorText[0] = 0
        try check(data_action_curl_set_string(curl, CURLOPT_URL, url), "CURLOPT_URL")
        try check(
            data_action_curl_set_string(curl, CURLOPT_CUSTOMREQUEST, method == "GET" || method == "POST" ? nil : method),
            "CURLOPT_CUSTOMREQUEST"
        )
        try check(data_action_curl_set_pointer(curl, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers.list)), "CURLOPT_HTTPHEADER")
        defer {
            handle.clear(CURLOPT_HTTPHEADER)
            withExtendedLifetime(headers) {}
        }
        let code: CURLcode
        if let body {
            let performed = body.withUnsafeBytes { bytes -> Result<CURLcode, Refusal> in
                do throws(Refusal) {
                    try check(data_action_curl_set_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
                    try check(
                        data_action_curl_set_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)),
                        "CURLOPT_POSTFIELDS"
                    )
                    defer { handle.clear(CURLOPT_POSTFIELDS) }
                    return .success(curl_easy_perform(curl))
                } catch {
                    return .failure(error)
                }
            }
            code = try performed.get()
        } else {
            try check(data_action_curl_set_long(curl, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET")
            code = curl_easy_perform(curl)
        }
        var status = 0
        if data_action_curl_response_code(curl, &status) != CURLE_OK {
            status = 0
        }
        var errorText = ""
        if code != CURLE_OK {
            errorText = String(cString: handle.errorText)
            if errorText.isEmpty { errorText = String(cString: curl_easy_strerror(code)) }
        }
        return Outcome(
            code: code,
            status: status,
            body: handle.sink.bytes,
            bodyTooLarge: handle.sink.overLimit || code == CURLE_FILESIZE_EXCEEDED,
            errorText: errorText
        )
    }

    /// Throws when libcurl refused `option`.
    private static func check(_ code: CURLcode, _ option: String) throws(Refusal) {
        guard code == CURLE_OK else {
            throw Refusal(option: option, text: String(cString: curl_easy_strerror(code)))
        }
    }

    /// One easy handle, configured for one profile, with the buffers its transfers write to.
    private final class EasyHandle {
        let curl: UnsafeMutableRawPointer
        let sink: BodySink
        let errorText: UnsafeMutablePointer<CChar>
        /// Set when a per-call pointer could not be cleared: the handle is not used again.
        var broken = false

        init(profile: Profile) throws(Refusal) {
            guard let curl = curl_easy_init() else { throw Refusal(option: "curl_easy_init", text: "no handle (out of memory)") }
            self.curl = curl
            self.sink = BodySink(limit: profile.maxBodyBytes)
            self.errorText = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
            self.errorText[0] = 0
            try check(data_action_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
            try check(data_action_curl_set_long(curl, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)), "CURLOPT_HTTP_VERSION")
            try check(data_action_curl_set_long(curl, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
            try check(data_action_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
            try check(data_action_curl_set_long(curl, CURLOPT_TIMEOUT_MS, profile.timeoutMilliseconds), "CURLOPT_TIMEOUT_MS")
            try check(data_action_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, profile.timeoutMilliseconds), "CURLOPT_CONNECTTIMEOUT_MS")
            try check(data_action_curl_set_off_t(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(profile.maxBodyBytes)), "CURLOPT_MAXFILESIZE_LARGE")
            try check(data_action_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(self.errorText)), "CURLOPT_ERRORBUFFER")
            try check(data_action_curl_set_write_callback(curl, BodySink.write), "CURLOPT_WRITEFUNCTION")
            try check(data_action_curl_set_pointer(curl, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self.sink).toOpaque()), "CURLOPT_WRITEDATA")
            try check(data_action_curl_set_string(curl, CURLOPT_PROXY, profile.proxy), "CURLOPT_PROXY")
            if let caFile = profile.tls.caFile {
                try check(data_action_curl_set_string(curl, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO")
                try check(data_action_curl_set_string(curl, CURLOPT_CAPATH, nil), "CURLOPT_CAPATH")
            }
            if let certificate = profile.tls.clientCertificateFile, let key = profile.tls.clientKeyFile {
                try check(data_action_curl_set_string(curl, CURLOPT_SSLCERT, certificate), "CURLOPT_SSLCERT")
                try check(data_action_curl_set_string(curl, CURLOPT_SSLKEY, key), "CURLOPT_SSLKEY")
            }
            if !profile.tls.verify {
                try check(data_action_curl_set_long(curl, CURLOPT_SSL_VERIFYPEER, 0), "CURLOPT_SSL_VERIFYPEER")
                try check(data_action_curl_set_long(curl, CURLOPT_SSL_VERIFYHOST, 0), "CURLOPT_SSL_VERIFYHOST")
            }
        }

        /// Clears a pointer option set for one transfer, so the handle keeps no pointer into a
        /// call that has ended.
        func clear(_ option: CURLoption) {
            if data_action_curl_set_pointer(self.curl, option, nil) != CURLE_OK {
                self.broken = true
            }
        }

        deinit {
            curl_easy_cleanup(self.curl)
            self.errorText.deallocate()
        }
    }

    /// A thread's handles, one per profile it used; cleaned up when the thread ends.
    private final class ThreadHandles {
        private var handles: [Int: EasyHandle] = [:]

        func handle(for profile: Profile) throws(Refusal) -> EasyHandle {
            if let handle = self.handles[profile.identifier], !handle.broken {
                return handle
            }
            let handle = try EasyHandle(profile: profile)
            self.handles[profile.identifier] = handle
            return handle
        }

        static var current: ThreadHandles {
            if let stored = pthread_getspecific(Self.key) {
                return Unmanaged<ThreadHandles>.fromOpaque(stored).takeUnretainedValue()
            }
            LibCurl.initialise()
            let handles = ThreadHandles()
            let stored = Unmanaged.passRetained(handles).toOpaque()
            // Without a slot (out of memory) the handles live for this call only.
            if pthread_setspecific(Self.key, stored) != 0 {
                Unmanaged<ThreadHandles>.fromOpaque(stored).release()
            }
            return handles
        }

        private static let key: pthread_key_t = {
            var key = pthread_key_t()
            let status = pthread_key_create(&key) { stored in
                if let stored { Unmanaged<ThreadHandles>.fromOpaque(stored).release() }
            }
            precondition(status == 0, "pthread_key_create failed with \(status)")
            return key
        }()
    }

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
