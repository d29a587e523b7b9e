#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from the request contract's cases (make fuzz runs it).

fuzz/corpus/request-path/: requests in FuzzRequestPath's format (request line, headers, blank
line, body), one per row of the contract table, with the fuzzer's fixed secrets.
fuzz/corpus/fastcgi-stream/: FastCGI connections as nginx writes them (fastcgi_params, the
headers Genesys sends, the body in STDIN records), plus the protocol's odd corners.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "fuzz-current-secret-0123456789abcdef"        # FuzzRequestPath's World.secret
PREVIOUS = "fuzz-previous-secret-fedcba9876543210"
ORG = "5f7c2a4e-9b1d-4c3e-8f6a-0123456789ab"
LOOKUP = "/data-action/user-lookup"


def sample(path):
    with open(os.path.join(HERE, "..", path), "rb") as file:
        return file.read()


DEMO = sample("deploy/demo/actions.yaml")
EXAMPLE = sample("deploy/actions.example.yaml")


def request(method="POST", path=LOOKUP, authorization="Bearer " + SECRET, organization=ORG, body=b'{"userId":"1"}', actions=None):
    """A request; with `actions`, an actions file before it, up to the line "%%"."""
    lines = [f"{method} {path}"]
    if authorization is not None:
        lines.append(f"Authorization: {authorization}")
    if organization is not None:
        lines.append(f"ININ-Organization-Id: {organization}")
    lines += ["Content-Type: application/json", "ININ-Correlation-Id: 3f1c9a52-seed"]
    prefix = actions.rstrip(b"\n") + b"\n%%\n" if actions is not None else b""
    return prefix + ("\n".join(lines) + "\n\n").encode() + body


REQUEST_PATH = {
    "found": request(),
    "envelope": request(body=b'{"inputs":{"userId":"2"},"context":{"a":1},"settings":{}}'),
    "genesys-extra": request(body=b'{"userId":"1","orgId":"x","integrationId":"y"}'),
    "integer": request(body=b'{"userId":7}'),
    "escapes": request(body=b'{"userId":"\\u00e9\\ud83d\\ude00"}'),
    "reserved": request(body=b'{"userId":"a b%c?#"}'),
    "traversal": request(body=b'{"userId":"../../etc/passwd"}'),
    "empty-id": request(body=b'{"userId":""}'),
    "null-id": request(body=b'{"userId":null}'),
    "fraction": request(body=b'{"userId":1.5}'),
    "array": request(body=b"[1,2]"),
    "garbage": request(body=b"not json"),
    "inputs-array": request(body=b'{"inputs":[]}'),
    "empty-body": request(body=b""),
    "invalid-utf8": request(body=b'{"userId":"\xff\xfe"}'),
    "deep": request(body=b"[" * 600 + b"]" * 600),
    "too-large": request(body=b'{"userId":"1","pad":"' + b"x" * 4100 + b'"}'),
    "get": request(method="GET"),
    "no-authorization": request(authorization=None),
    "wrong-secret": request(authorization="Bearer not-the-secret-at-all-0000"),
    "previous-secret": request(authorization="bearer " + PREVIOUS),
    "basic-scheme": request(authorization="Basic " + SECRET),
    "no-organization": request(organization=None),
    "wrong-organization": request(organization="00000000-0000-0000-0000-000000000000"),
    "health": request(method="GET", path="/healthz", authorization=None, body=b""),
    "health-post": request(path="/healthz"),
    "unknown-path": request(path="/data-action/other"),
    "demo-lookup": request(actions=DEMO),
    "demo-search": request(actions=DEMO, path="/data-action/user-by-email", body=b'{"email":"Sincere@april.biz"}'),
    "demo-search-bad": request(actions=DEMO, path="/data-action/user-by-email", body=b'{"email":"no at sign"}'),
    "example-search": request(actions=EXAMPLE, path="/data-action/customer-by-phone", body=b'{"phone":"+15551234567"}'),
    "example-balance": request(actions=EXAMPLE, path="/data-action/account-balance", body=b'{"accountId":4711}'),
    "example-balance-low": request(actions=EXAMPLE, path="/data-action/account-balance", body=b'{"accountId":0}'),
    "example-post": request(
        actions=EXAMPLE, path="/data-action/create-callback",
        body=b'{"phone":"+15551234567","accountId":7,"priority":"high","consent":true}',
    ),
    "example-patch": request(
        actions=EXAMPLE, path="/data-action/add-ticket-note", body=b'{"ticketId":"t-42","note":"Called back \\"ok\\"."}'
    ),
    "example-patch-empty-segment": request(actions=EXAMPLE, path="/data-action/add-ticket-note", body=b'{"ticketId":"","note":"x"}'),
    "example-post-enum": request(
        actions=EXAMPLE, path="/data-action/create-callback", body=b'{"phone":"+15551234567","priority":"urgent","consent":1}'
    ),
    "small-file": request(
        actions=b"upstreams:\n  u: { url: 'http://h/x' }\nactions:\n  a:\n    inputs: { n: number, b: boolean, s: { type: string, enum: [x, y] } }\n"
        b"    request: { upstream: u, method: POST, path: '/{s}/q{?n,b}{&s}', body: [\"{n}\", {k: \"{b}\"}] }\n"
        b"    result: { notFound: [404, 200], record: \"$['items'][1]\" }\n    outputs: { f: found, v: { path: $.v, type: number } }\n",
        path="/data-action/a", body=b'{"n":1.5,"b":false,"s":"y"}',
    ),
    "refused-file": request(actions=b"upstreams: {}\nactions:\n  a: { request: { upstream: u, path: '{x' } }\n", path="/data-action/a"),
}


def record(kind, content=b"", request_id=1, padding=0):
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), padding, 0) + content + b"\0" * padding


def pair(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return length(len(name)) + length(len(value)) + name + value


BEGIN, ABORT, PARAMS, STDIN, GET_VALUES = 1, 2, 4, 5, 9


def nginx_request(body=b'{"userId":"1"}', request_id=1, keep=False, extra=(), content_length=None, chunk=4096):
    params = [
        (b"QUERY_STRING", b""), (b"REQUEST_METHOD", b"POST"), (b"CONTENT_TYPE", b"application/json"),
        (b"CONTENT_LENGTH", str(len(body) if content_length is None else content_length).encode()),
        (b"SCRIPT_NAME", LOOKUP.encode()), (b"REQUEST_URI", LOOKUP.encode()), (b"DOCUMENT_URI", LOOKUP.encode()),
        (b"DOCUMENT_ROOT", b"/usr/share/nginx/html"), (b"SERVER_PROTOCOL", b"HTTP/1.1"), (b"REQUEST_SCHEME", b"https"),
        (b"GATEWAY_INTERFACE", b"CGI/1.1"), (b"SERVER_SOFTWARE", b"nginx/1.22.1"), (b"REMOTE_ADDR", b"52.11.123.4"),
        (b"REMOTE_PORT", b"40312"), (b"SERVER_ADDR", b"10.0.0.5"), (b"SERVER_PORT", b"443"),
        (b"SERVER_NAME", b"data-action.example.com"), (b"REDIRECT_STATUS", b"200"),
        (b"HTTP_AUTHORIZATION", b"Bearer " + SECRET.encode()), (b"HTTP_ININ_ORGANIZATION_ID", ORG.encode()),
        (b"HTTP_ININ_CORRELATION_ID", b"3f1c9a52-seed"), (b"HTTP_CONTENT_TYPE", b"application/json"),
        (b"HTTP_X_ECHO", b"seed"),
    ] + list(extra)
    out = record(BEGIN, struct.pack(">HB5x", 1, 1 if keep else 0), request_id)
    out += record(PARAMS, b"".join(pair(n, v) for n, v in params), request_id)
    out += record(PARAMS, b"", request_id)
    for start in range(0, len(body), chunk):
        out += record(STDIN, body[start:start + chunk], request_id)
    return out + record(STDIN, b"", request_id)


FASTCGI_STREAM = {
    "nginx-post": nginx_request(),
    "nginx-keep-alive-pair": nginx_request(keep=True) + nginx_request(body=b'{"userId":"2"}', request_id=2),
    "empty-body": nginx_request(body=b""),
    "body-at-limit": nginx_request(body=b"x" * 4096),
    "body-over-limit": nginx_request(body=b"x" * 5000, chunk=1000),
    "declared-too-long": nginx_request(content_length=999),
    "declared-over-limit": nginx_request(content_length=100000),
    "echo-with-line-breaks": nginx_request(extra=[(b"HTTP_X_ECHO", b"a\r\nSet-Cookie: injected\r\n\r\nbody")]),
    "long-parameter": nginx_request(extra=[(b"HTTP_X_LONG", b"v" * 300)]),
    "padded": record(BEGIN, struct.pack(">HB5x", 1, 0), padding=3) + nginx_request()[16:],
    "abort-after-params": nginx_request(body=b"")[:-8] + record(ABORT),
    "get-values": record(GET_VALUES, pair(b"FCGI_MAX_CONNS", b"") + pair(b"FCGI_MPXS_CONNS", b""), request_id=0),
    "unknown-type": record(42, b"what", request_id=0) + nginx_request(),
    "unknown-request-id": record(STDIN, b"stray", request_id=9) + nginx_request(),
    "unknown-role": record(BEGIN, struct.pack(">HB5x", 7, 0)) + record(PARAMS) + record(STDIN),
    "second-begin": record(BEGIN, struct.pack(">HB5x", 1, 0)) + nginx_request(request_id=2),
    "truncated": nginx_request()[:40],
}


def write(directory, cases):
    path = os.path.join(HERE, "corpus", directory)
    os.makedirs(path, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(path, name), "wb") as file:
            file.write(data)


if __name__ == "__main__":
    write("request-path", REQUEST_PATH)
    write("fastcgi-stream", FASTCGI_STREAM)
    print(f"{len(REQUEST_PATH)} request-path and {len(FASTCGI_STREAM)} fastcgi-stream seeds", file=sys.stderr)
