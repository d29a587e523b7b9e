#!/usr/bin/env python3
"""The soak's upstream: answers GET /users/{id} and POST /tickets (a JSON object whose `user`
is a string and `priority` an integer: 201 with the ticket) by the user id's prefix, with every
fault the contract names. Prints its port on stdout once it listens.

  u<n>        200, a user (201, a ticket)  slow-<n>     the same after SLOW_SECONDS
  missing-<n> 404                          error-<n>    500
  hang-<n>    nothing for HANG_SECONDS     reset-<n>    the connection reset (RST)
  garbage-<n> 200 with a body that is not JSON

A request without `Authorization: <UPSTREAM_AUTHORIZATION>` gets 401 (the soak counts the
service's 502 for it as wrong), so the credential is known to have been sent.
"""
import http.server
import json
import os
import signal
import socket
import struct
import sys
import time

AUTHORIZATION = os.environ["UPSTREAM_AUTHORIZATION"]
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
        try:
            ticket = json.loads(self.rfile.read(length))
            valid = (self.path == "/tickets" and self.headers.get("Content-Type") == "application/json"
                     and isinstance(ticket.get("user"), str) and type(ticket.get("priority")) is int)
        except ValueError:
            valid = False
        if not valid:
            return self.answer(400, '{"error":"POST /tickets a JSON object with user and priority"}')
        user = ticket["user"]
        self.respond(user, lambda: {"id": sum(map(ord, user)), "priority": ticket["priority"], "status": "open"}, 201)

    def respond(self, user, record, status=200):
        """The record (or the fault the user id's prefix names)."""
        kind = user.split("-", 1)[0]
        if self.headers.get("Authorization") != AUTHORIZATION:
            return self.answer(401, '{"error":"credential missing"}')
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
