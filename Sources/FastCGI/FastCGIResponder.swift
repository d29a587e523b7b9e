/// The seam between the FastCGI server and the application behind it.
///
/// Like Hummingbird's `HTTPResponder`: the server turns bytes on the wire into a
/// ``FastCGIRequest``, calls ``respond(to:)``, and writes the ``FastCGIResponse`` back.
/// A responder never sees libfcgi, sockets or threads, so the same responder serves
/// FastCGI, plain CGI and tests.
public protocol FastCGIResponder: Sendable {
    /// Answers one request on the calling worker thread, which it may block while it waits
    /// (for an upstream, say). It must always answer: errors are responses too.
    func respond(to request: FastCGIRequest) -> FastCGIResponse
}
