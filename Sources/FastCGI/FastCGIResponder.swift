/// The seam between the FastCGI server and the application behind it.
///
/// Like Hummingbird's `HTTPResponder`: the server turns bytes on the wire into a
/// ``FastCGIRequest``, calls ``respond(to:)``, and writes the ``FastCGIResponse`` back.
/// A responder never sees libfcgi, sockets or threads, so the same responder serves
/// FastCGI, plain CGI and tests.
public protocol FastCGIResponder: Sendable {
    /// Answers one request. It must always answer: errors are responses too.
    func respond(to request: FastCGIRequest) async -> FastCGIResponse

    /// Answers at once when no waiting is needed, or says what to wait for.
    ///
    /// The server calls this on its worker thread. A response returned ``FastCGIAnswer/now(_:)``
    /// or made by ``FastCGIAnswer/blocking(_:)`` work is written without handing the request
    /// to Swift concurrency and back, which is two thread wake-ups saved per request. The
    /// default waits for ``respond(to:)``.
    func answer(to request: FastCGIRequest) -> FastCGIAnswer
}

/// What a responder can say without waiting.
public enum FastCGIAnswer: Sendable {
    /// The response, ready.
    case now(FastCGIResponse)
    /// The response needs async work (I/O); the server waits for it.
    case later(@Sendable () async -> FastCGIResponse)
    /// The response comes from work that blocks the worker thread while it waits (for a
    /// future completed on another thread, say): the server runs it on the worker.
    case blocking(@Sendable () -> FastCGIResponse)
}

extension FastCGIResponder {
    public func answer(to request: FastCGIRequest) -> FastCGIAnswer {
        .later { await self.respond(to: request) }
    }
}
