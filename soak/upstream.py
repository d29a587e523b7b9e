#!/usr/bin/env python3
"""The soak's upstream: answers GET /users/{id} and PATCH /tickets/{user} (a JSON object whose
`priority` is an integer: 201 with the ticket) by the user id's prefix, with every fault the
contract names; and an OAuth2 token endpoint, POST /oauth2/token (RFC 6749 §4.4: the client
`soak` with CLIENT_SECRET in the form; a bearer token good for TOKEN_SECONDS). Prints its port
on stdout once it listens.

  u<n>        200, a user (201, a ticket)  slow-<n>     the same after SLOW_SECONDS
  missing-<n> 404                          error-<n>    500
  hang-<n>    nothing for HANG_SECONDS     reset-<n>    the connection reset (RST)
  garbage-<n> 200 with a body that is not JSON

A request without a bearer token the endpoint issued and that has not expired gets 401 (the
service then fetches a new token and sends the call once more; a 502 for it counts as wrong).
"""
import http.server
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse

CLIENT_SECRET = os.environ["CLIENT_SECRET"]
TOKEN_SECONDS = int(os.environ.get("TOKEN_SECONDS", "20"))
TOKENS = {}  # token -> when it expires
TOKENS_LOCK = threading.Lock()
SLOW_SECONDS = float(os.environ.get("SLOW_SECONDS", "0.3"))
HANG_SECONDS = float(os.environ.get("HANG_SECONDS", "2.5"))


class Directory(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY the second waits for the
    # client's delayed ACK, and every lookup took 40 ms more (the first soak's p50 was 43 ms).
    disable_nagle_algorithm = True

    def log_message(self, *arguments):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        user = self.path.rsplit("/", 1)[-1]
        self.respond(user, lambda: {"id": user, "name": f"User {user}", "email": f"{user}@example.com", "phone": "555-0100"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if (self.path != "/oauth2/token" or self.headers.get("Content-Type") != "application/x-www-form-urlencoded"
                or form.get("grant_type") != ["client_credentials"]):
            return self.answer(400, '{"error":"invalid_request"}')
        if form.get("client_id") != ["soak"] or form.get("client_secret") != [CLIENT_SECRET]:
            return self.answer(401, '{"error":"invalid_client"}')
        token = "soak-token-" + os.urandom(12).hex()
        with TOKENS_LOCK:
            TOKENS[token] = time.monotonic() + TOKEN_SECONDS
        self.answer(200, json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}))

    def do_PATCH(self):
        length = int(self.headers.get("Content-Length", "0"))
        try:
            ticket = json.loads(self.rfile.read(length))
            valid = (self.path.startswith("/tickets/") and self.headers.get("Content-Type") == "application/json"
                     and type(ticket.get("priority")) is int)
        except ValueError:
            valid = False
        if not valid:
            return self.answer(400, '{"error":"PATCH /tickets/{user} a JSON object with priority"}')
        user = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
        self.respond(user, lambda: {"id": sum(map(ord, user)), "priority": ticket["priority"], "status": "open"}, 201)

    def respond(self, user, record, status=200):
        """The record (or the fault the user id's prefix names)."""
        kind = user.split("-", 1)[0]
        authorization = self.headers.get("Authorization", "")
        with TOKENS_LOCK:
            expires = TOKENS.get(authorization[len("Bearer "):]) if authorization.startswith("Bearer ") else None
        if expires is None or expires < time.monotonic():
            return self.answer(401, '{"error":"invalid_token"}')
        if kind == "missing":
            return self.answer(404, '{"error":"no such user"}')
        if kind == "error":
            return self.answer(500, '{"error":"the upstream failed"}')
        if kind == "garbage":
            return self.answer(200, "<html>not json</html>", "text/html")
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if kind == "slow":
            time.sleep(SLOW_SECONDS)
        if kind == "hang":
            time.sleep(HANG_SECONDS)
        self.answer(status, json.dumps(record()))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # resets and callers that gave up on a hang: expected here


if __name__ == "__main__":
    # A parent may start this with signals blocked (Swift's test runner does), and the soak's
    # cleanup stops it with SIGTERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = Server(("127.0.0.1", 0), Directory)
    print(server.server_address[1], flush=True)
    server.serve_forever()
