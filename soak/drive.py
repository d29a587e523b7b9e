#!/usr/bin/env python3
"""The soak's callers: mixed traffic through nginx for a set time, every answer checked against
the request contract, then a report.

Every case below is one row of the contract (or a fault of the upstream, or a caller that
hangs up), with the status the contract gives it. Callers are threads with their own
keep-alive connection to nginx, paced together at --rate requests per second. At the end the
report says what was sent, what was answered, what was answered with the contract's status,
the service's and nginx's resources at the start and end, whether any log holds the shared
secret, the upstream credential or a request body (every body carries --canary), and whether the
service's /metrics counted every call it answered, and nothing of a request.
"""
import argparse
import collections
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.request

LOOKUP = "/data-action/user-lookup"
TICKET = "/data-action/create-ticket"


def cases(arguments):
    """(name, weight, method, body, headers, expected status, what the answer must say, path)."""
    canary = arguments.canary
    good = {"Authorization": f"Bearer {arguments.secret}", "ININ-Organization-Id": arguments.org,
            "Content-Type": "application/json"}

    def body(user, extra=""):
        return f'{{"userId":"{user}","soakNote":"{canary}"{extra}}}'

    def ticket(user, priority="3", note=canary):
        return f'{{"userId":"{user}","priority":{priority},"note":"{note}"}}'

    found = ("userFound", True)
    created = ("ticketCreated", True)
    tickets = [
        ("ticket created (POST)", 12, "POST", lambda n: ticket(f"u{n}"), good, 200, created),
        ("ticket, envelope", 2, "POST", lambda n: f'{{"inputs":{{"userId":"u{n}","priority":1}},"note":"{canary}"}}', good, 200, created),
        ("ticket, upstream 404", 2, "POST", lambda n: ticket(f"missing-{n}"), good, 200, ("ticketCreated", False)),
        ("ticket, upstream slow", 2, "POST", lambda n: ticket(f"slow-{n}"), good, 200, created),
        ("ticket, upstream 500", 1, "POST", lambda n: ticket(f"error-{n}"), good, 502, None),
        ("ticket, upstream timeout", 1, "POST", lambda n: ticket(f"hang-{n}"), good, 504, None),
        ("ticket, priority out of range", 1, "POST", lambda n: ticket(f"u{n}", "9"), good, 400, None),
        ("ticket, priority a string", 1, "POST", lambda n: ticket(f"u{n}", '"high"'), good, 400, None),
        ("ticket, note too long", 1, "POST", lambda n: ticket(f"u{n}", note=canary * 20), good, 400, None),
    ]
    return [row + (LOOKUP,) for row in lookups(body, canary, good, found)] + [row + (TICKET,) for row in tickets]


def lookups(body, canary, good, found):
    """The user lookup's rows: every row of the contract, and every fault of the upstream."""
    return [
        ("found", 40, "POST", lambda n: body(f"u{n}"), good, 200, found),
        ("found, tutorial envelope", 5, "POST", lambda n: f'{{"inputs":{{"userId":"u{n}"}},"soakNote":"{canary}"}}', good, 200, found),
        ("found, integer id", 2, "POST", lambda n: f'{{"userId":{n},"soakNote":"{canary}"}}', good, 200, found),
        ("not found", 8, "POST", lambda n: body(f"missing-{n}"), good, 200, ("userFound", False)),
        ("upstream slow", 5, "POST", lambda n: body(f"slow-{n}"), good, 200, found),
        ("upstream 500", 3, "POST", lambda n: body(f"error-{n}"), good, 502, None),
        ("upstream invalid body", 2, "POST", lambda n: body(f"garbage-{n}"), good, 502, None),
        ("upstream timeout", 1, "POST", lambda n: body(f"hang-{n}"), good, 504, None),
        ("upstream reset", 1, "POST", lambda n: body(f"reset-{n}"), good, 502, None),
        ("body empty", 2, "POST", lambda n: "", good, 400, None),
        ("body invalid JSON", 2, "POST", lambda n: f'{{"userId": "{canary}', good, 400, None),
        ("body an array", 1, "POST", lambda n: f'["{canary}"]', good, 400, None),
        ("body invalid UTF-8", 1, "POST", lambda n: body("\udcff").encode("utf-8", "surrogateescape"), good, 400, None),
        ("inputs not an object", 1, "POST", lambda n: f'{{"inputs":"{canary}"}}', good, 400, None),
        ("userId missing", 1, "POST", lambda n: f'{{"soakNote":"{canary}"}}', good, 400, None),
        ("userId null", 1, "POST", lambda n: f'{{"userId":null,"soakNote":"{canary}"}}', good, 400, None),
        ("userId an object", 1, "POST", lambda n: f'{{"userId":{{"x":"{canary}"}}}}', good, 400, None),
        ("userId a path trick", 2, "POST", lambda n: body(f"../{canary}"), good, 400, None),
        ("userId too long", 1, "POST", lambda n: body(canary * 20), good, 400, None),
        ("wrong secret", 2, "POST", lambda n: body("u1"), {**good, "Authorization": f"Bearer wrong-{canary}"}, 401, None),
        ("no Authorization", 1, "POST", lambda n: body("u1"), {k: v for k, v in good.items() if k != "Authorization"}, 401, None),
        ("wrong organization", 2, "POST", lambda n: body("u1"), {**good, "ININ-Organization-Id": "00000000-0000-4000-8000-000000000000"}, 403, None),
        ("GET", 1, "GET", lambda n: "", good, 405, None),
        ("body over the service's limit", 1, "POST", lambda n: body("u1", ',"pad":"' + canary * 400 + '"'), good, 413, None),
        ("body over nginx's limit", 1, "POST", lambda n: body("u1", ',"pad":"' + canary * 3000 + '"'), good, 413, None),
    ]


# Answered by nginx before the service: not in the service's metrics.
NGINX_ANSWERS = {"body over nginx's limit"}

HANG_UPS = [
    # (name, weight): callers that do not wait for an answer; nothing is expected of them.
    ("hangs up while the lookup runs", 2),
    ("hangs up mid-body", 1),
    ("connects and leaves", 1),
]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.answered = 0
        self.as_contract = 0
        self.hung_up = 0
        self.unanswered = collections.Counter()
        self.by_case = collections.defaultdict(collections.Counter)
        self.mismatches = collections.Counter()
        self.latencies = []

    def record(self, case, status, expected, matches, seconds):
        with self.lock:
            self.sent += 1
            self.answered += 1
            self.by_case[case][status] += 1
            if matches:
                self.as_contract += 1
            else:
                self.mismatches[f"{case}: {status} (contract: {expected})"] += 1
            self.latencies.append(seconds)

    def lost(self, case, error):
        with self.lock:
            self.sent += 1
            self.unanswered[f"{case}: {error}"] += 1

    def hang_up(self, case):
        with self.lock:
            self.sent += 1
            self.hung_up += 1
            self.by_case[case]["hung up"] += 1


class Pace:
    """Spreads requests evenly over time across every caller."""

    def __init__(self, rate):
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self):
        with self.lock:
            now = time.monotonic()
            slot = max(self.next, now)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def caller(arguments, table, weights, deadline, pace, tally, seed):
    rng = random.Random(seed)
    host, port = arguments.host, arguments.port
    connection = None
    sequence = 0
    while time.monotonic() < deadline:
        pace.wait()
        sequence += 1
        choice = rng.choices(range(len(table)), weights)[0]
        name = table[choice][0]
        if choice >= len(table) - len(HANG_UPS):
            hang_up(name, host, port, arguments)
            tally.hang_up(name)
            continue
        _, _, method, make_body, headers, expected, check, path = table[choice]
        body = make_body(rng.randint(1, 500))
        data = body if isinstance(body, bytes) else body.encode()
        request_headers = {**headers, "ININ-Correlation-Id": f"soak-{seed}-{sequence}"}
        started = time.monotonic()
        # No retry: a request that gets no answer is lost, whatever the reason. nginx says
        # "Connection: close" on the last answer of a kept connection, so a healthy stack never
        # closes one under a caller.
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=arguments.client_timeout)
            connection.request(method, path, body=data if method == "POST" else None, headers=request_headers)
            response = connection.getresponse()
            answer = response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except Exception as error:  # a disconnect, a timeout or anything else: unanswered
            if connection:
                connection.close()
            connection = None
            tally.lost(name, type(error).__name__)
            answer = None
        if answer is None:
            continue
        status = response.status
        matches = status == expected
        if matches and check is not None:
            try:
                outputs = json.loads(answer)["outputs"]
                matches = outputs.get(check[0]) == check[1]
            except Exception:
                matches = False
        tally.record(name, status, expected, matches, time.monotonic() - started)


def hang_up(name, host, port, arguments):
    with socket.create_connection((host, port), timeout=5) as connection:
        if name == "connects and leaves":
            return
        headers = (f"POST {LOOKUP} HTTP/1.1\r\nHost: soak\r\nAuthorization: Bearer {arguments.secret}\r\n"
                   f"ININ-Organization-Id: {arguments.org}\r\nContent-Type: application/json\r\n")
        if name == "hangs up mid-body":
            connection.sendall((headers + "Content-Length: 200\r\n\r\n" + f'{{"userId":"{arguments.canary}').encode())
            return
        body = f'{{"userId":"slow-1","soakNote":"{arguments.canary}"}}'
        connection.sendall((headers + f"Content-Length: {len(body)}\r\n\r\n" + body).encode())
        time.sleep(0.05)  # gone before the upstream answers (SLOW_SECONDS)


def resources(pid):
    """RSS (KiB), open descriptors and threads of a process."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    return {
        "rss_kib": int(fields["VmRSS"].split()[0]),
        "descriptors": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(fields["Threads"]),
    }


def grep_logs(paths, needles):
    found = {}
    for label, needle in needles.items():
        hits = []
        for path in paths:
            with open(path, "rb") as log:
                count = log.read().count(needle.encode())
            if count:
                hits.append(f"{os.path.basename(path)}: {count}")
        found[label] = hits
    return found


def scrape(host, port):
    """The service's /metrics through nginx: (requests counted by action and status, the text)."""
    text = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10).read().decode()
    counted = collections.defaultdict(collections.Counter)
    for line in text.splitlines():
        if line.startswith("data_action_requests_total{"):
            labels = dict(part.split("=", 1) for part in line[line.index("{") + 1:line.index("}")].split(","))
            counted[labels["action"].strip('"')][int(labels["status"].strip('"'))] += int(float(line.rsplit(" ", 1)[1]))
    return counted, text


def metrics_check(table, tally, counted):
    """Problems between what the callers got and what the service counted: every status a
    caller got from the service is counted at least that often, and the service counted no more
    calls per action than were answered plus those hung up on purpose (which it may have served)."""
    problems = []
    paths = {row[0]: row[7] for row in table if len(row) > 2}
    for action in sorted({path.rsplit("/", 1)[1] for path in paths.values()}):
        got = collections.Counter()
        for case, counts in tally.by_case.items():
            if case in paths and case not in NGINX_ANSWERS and paths[case].endswith("/" + action):
                got.update({status: count for status, count in counts.items() if isinstance(status, int)})
        for status, count in sorted(got.items()):
            if counted[action][status] < count:
                problems.append(f"{action} {status}: callers got {count}, the service counted {counted[action][status]}")
        extra = sum(counted[action].values()) - sum(got.values())
        if extra < 0 or extra > (tally.hung_up if action == LOOKUP.rsplit("/", 1)[1] else 0):
            problems.append(f"{action}: the service counted {sum(counted[action].values())}, callers got {sum(got.values())}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--callers", type=int, default=24)
    parser.add_argument("--client-timeout", type=float, default=15)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--org", required=True)
    parser.add_argument("--canary", required=True)
    parser.add_argument("--upstream-credential", required=True)
    parser.add_argument("--service-pid", type=int, required=True)
    parser.add_argument("--nginx-pid", type=int, required=True)
    parser.add_argument("--log", action="append", default=[], help="a log to search for secrets (repeat)")
    parser.add_argument("--report", required=True, help="where the JSON report goes")
    arguments = parser.parse_args()

    table = cases(arguments) + [(name, weight) for name, weight in HANG_UPS]
    weights = [row[1] for row in table]
    with open(f"/proc/{arguments.nginx_pid}/task/{arguments.nginx_pid}/children") as children:
        nginx_workers = [int(pid) for pid in children.read().split()]

    def snapshot():
        return {"service": resources(arguments.service_pid),
                "nginx workers": [resources(pid) for pid in nginx_workers]}

    tally = Tally()
    pace = Pace(arguments.rate)
    before = snapshot()
    started = time.monotonic()
    deadline = started + arguments.seconds
    threads = [threading.Thread(target=caller, args=(arguments, table, weights, deadline, pace, tally, seed), daemon=True)
               for seed in range(arguments.callers)]
    for thread in threads:
        thread.start()
    # "Start" is after a tenth of the run (at most 60 s): caches, pools and arenas warmed.
    time.sleep(min(arguments.seconds / 10, 60))
    start = snapshot()
    progress = started
    while any(thread.is_alive() for thread in threads):
        time.sleep(1)
        if time.monotonic() - progress >= 60:
            progress = time.monotonic()
            print(f"  {int(progress - started)} s: {tally.sent} sent, {tally.answered} answered, "
                  f"{sum(tally.unanswered.values())} unanswered, {sum(tally.mismatches.values())} not as the contract says",
                  file=sys.stderr, flush=True)
    end = snapshot()
    elapsed = time.monotonic() - started

    counted, metrics_text = scrape(arguments.host, arguments.port)
    metrics_problems = metrics_check(table, tally, counted)
    in_metrics = [name for name, needle in {"shared secret": arguments.secret, "upstream credential": arguments.upstream_credential,
                                             "canary": arguments.canary, "correlation id": "soak-0-"}.items() if needle in metrics_text]
    logs = [path for path in arguments.log if os.path.exists(path)]
    secrets = grep_logs(logs, {"shared secret": arguments.secret, "upstream credential": arguments.upstream_credential,
                               "request bodies (canary)": arguments.canary})
    breaker = sum(open(path, errors="replace").read().count("upstream circuit open") for path in logs)
    latencies = sorted(tally.latencies) or [0]
    growth_kib = end["service"]["rss_kib"] - start["service"]["rss_kib"]
    verdicts = {
        "every request answered": not tally.unanswered,
        "every answer the contract's": not tally.mismatches,
        "no secret or body in any log": not any(secrets.values()),
        "the service's metrics count every call it answered": not metrics_problems,
        "nothing of a request in /metrics": not in_metrics,
    }
    # Over a short run, growth measures warm-up, not leaks: judged from two minutes on.
    if arguments.seconds >= 120:
        verdicts["service descriptors did not grow"] = end["service"]["descriptors"] <= start["service"]["descriptors"] + 4
        verdicts["service threads did not grow"] = end["service"]["threads"] <= start["service"]["threads"] + 2
        verdicts["service RSS grew under 10%"] = growth_kib < start["service"]["rss_kib"] // 10
    report = {
        "seconds": round(elapsed, 1), "rate asked": arguments.rate, "callers": arguments.callers,
        "sent": tally.sent, "answered": tally.answered, "answered as the contract says": tally.as_contract,
        "hung up on purpose": tally.hung_up, "unanswered": dict(tally.unanswered),
        "not as the contract says": dict(tally.mismatches),
        "latency ms": {"p50": round(latencies[len(latencies) // 2] * 1000, 1),
                       "p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
                       "max": round(latencies[-1] * 1000, 1)},
        "by case": {name: dict(counts) for name, counts in sorted(tally.by_case.items())},
        "resources": {"before traffic": before, "start": start, "end": end},
        "circuit opened (service log)": breaker,
        "logs searched": [os.path.basename(path) for path in logs],
        "secrets found in logs": secrets,
        "counted by the service (/metrics)": {action: dict(sorted(counts.items())) for action, counts in sorted(counted.items())},
        "metrics problems": metrics_problems,
        "request data in /metrics": in_metrics,
        "verdicts": verdicts,
        "passed": all(verdicts.values()),
    }
    with open(arguments.report, "w") as file:
        json.dump(report, file, indent=2)
    service_start, service_end = start["service"], end["service"]
    print(f"""
soak: {report['seconds']} s, {tally.sent} requests sent ({tally.sent / elapsed:.0f}/s, {arguments.callers} callers)
  answered                      {tally.answered}
  answered as the contract says {tally.as_contract}
  hung up on purpose            {tally.hung_up} (no answer expected)
  unanswered                    {sum(tally.unanswered.values())} {dict(tally.unanswered) or ''}
  not as the contract says      {sum(tally.mismatches.values())} {dict(tally.mismatches) or ''}
  latency ms                    p50 {report['latency ms']['p50']}, p99 {report['latency ms']['p99']}, max {report['latency ms']['max']}
  service RSS                   {service_start['rss_kib'] / 1024:.1f} MiB at start, {service_end['rss_kib'] / 1024:.1f} MiB at end ({before['service']['rss_kib'] / 1024:.1f} before traffic)
  service descriptors           {service_start['descriptors']} at start, {service_end['descriptors']} at end ({before['service']['descriptors']} before traffic)
  service threads               {service_start['threads']} at start, {service_end['threads']} at end
  nginx worker RSS              {', '.join(f"{w['rss_kib'] / 1024:.1f}" for w in start['nginx workers'])} MiB at start, {', '.join(f"{w['rss_kib'] / 1024:.1f}" for w in end['nginx workers'])} MiB at end
  circuit opened                {breaker} times
  secrets in logs               {'none' if not any(secrets.values()) else secrets} ({', '.join(report['logs searched'])})
  counted by the service        {'; '.join(f"{action}: " + ', '.join(f'{status}: {count}' for status, count in sorted(counts.items())) for action, counts in sorted(counted.items()))}
  metrics against the callers   {'; '.join(metrics_problems) or 'every answered call counted'}{'; request data in /metrics: ' + ', '.join(in_metrics) if in_metrics else ''}
  by case:""")
    for name, counts in sorted(tally.by_case.items()):
        print(f"    {name:32} {', '.join(f'{status}: {count}' for status, count in sorted(counts.items(), key=str))}")
    print("  verdict: " + ("PASSED" if report["passed"] else "FAILED: " + ", ".join(k for k, v in verdicts.items() if not v)))
    sys.exit(0 if report["passed"] else 1)


if __name__ == "__main__":
    main()
