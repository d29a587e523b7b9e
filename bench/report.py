#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into bench/RESULTS.md and prints the table.

    report.py RESULTS.tsv OUTPUT.md key=value...

Medians over the rounds; the service/floor ratios are the median of each round's ratio, so
both sides of a ratio come from the same minute of the same noisy machine.
"""
import csv
import datetime
import os
import platform
import statistics
import subprocess
import sys

results_path, output_path = sys.argv[1], sys.argv[2]
settings = dict(argument.split("=", 1) for argument in sys.argv[3:])
all_rows = list(csv.DictReader(open(results_path), delimiter="\t"))
rows = [row for row in all_rows if row["connections"] == settings["connections"]]
single = [row for row in all_rows if row["connections"] == "1"]
ticks_per_second = os.sysconf("SC_CLK_TCK")
targets = list(dict.fromkeys(row["target"] for row in rows))
labels = {
    "ceiling": "nginx `return 200` (ceiling)",
    "floor": "C libfcgi, threaded, fixed answer (FastCGI floor)",
    "curl-floor": "C libfcgi + one kept-alive libcurl GET (libcurl floor)",
    "uncached": "data-action, uncached",
    "cached": "data-action, cache on and warm",
    "cached-metrics-off": "data-action, cache on and warm, METRICS=false",
    "curl-floor-4k": "C libfcgi + libcurl GET, 4 KiB answer scanned (libcurl floor, 4 KiB)",
    "uncached-4k": "data-action, uncached, 4 KiB answer",
    "before-uncached": "the baseline build, uncached",
    "before-cached": "the baseline build, cache on and warm",
}


def rate(row):
    return int(row["requests"]) / (int(row["duration_us"]) / 1e6)


by_round = {}
for row in rows:
    by_round.setdefault(row["round"], {})[row["target"]] = row


def median(target, value, source=None):
    return statistics.median(value(row) for row in (rows if source is None else source) if row["target"] == target)


def cpu_per_request(row):
    """The target process's CPU time per request, in microseconds (nginx's is not counted)."""
    return int(row["cpu_ticks"]) / ticks_per_second * 1e6 / max(1, int(row["requests"]))


def ratio(target, base="floor"):
    return statistics.median(rate(round_rows[target]) / rate(round_rows[base]) for round_rows in by_round.values())


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip() or "?"
    except OSError:
        return "?"


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


memory_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
machine = [
    f"{os.cpu_count()} CPUs ({cpu_model()}), {memory_kib / 1048576:.0f} GiB, Linux {platform.release()}",
    command_output(["sh", "-c", "nginx -v 2>&1"]),
    command_output(["sh", "-c", "wrk -v 2>&1 | head -1"]),
    command_output(["sh", "-c", "swift --version 2>/dev/null | head -1"]),
]

table = [
    f"| target | requests/s | p50 ms | p99 ms | non-2xx | vs floor | vs libcurl floor | process CPU µs/request | p50 / p99 ms at 1 connection |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for target in targets:
    non2xx = sum(int(row["non2xx"]) + int(row["socket_errors"]) for row in all_rows if row["target"] == target)
    versus = f"{ratio(target):.2f}× | {ratio(target, 'curl-floor'):.2f}×"
    cpu = "—" if target == "ceiling" else f"{median(target, cpu_per_request):.0f}"
    alone = (
        f"{median(target, lambda row: int(row['p50_us']), single) / 1000:.2f} / {median(target, lambda row: int(row['p99_us']), single) / 1000:.2f}"
        if single
        else "—"
    )
    table.append(
        f"| {labels[target]} | {median(target, rate):,.0f} | {median(target, lambda row: int(row['p50_us'])) / 1000:.2f} "
        f"| {median(target, lambda row: int(row['p99_us'])) / 1000:.2f} | {non2xx} | {versus} | {cpu} | {alone} |"
    )

kib = lambda key: int(settings[key]) / 1024
p99 = lambda target: median(target, lambda row: int(row["p99_us"])) / 1000
alone_p50 = lambda target: median(target, lambda row: int(row["p50_us"]), single)
uncached_ratio, cached_ratio = ratio("uncached", "curl-floor"), ratio("cached")
p99_ratio = p99("uncached") / p99("curl-floor")
cpu_ratio = lambda target, base: median(target, cpu_per_request) / median(base, cpu_per_request)
binary_mib = os.path.getsize(settings["binary"]) / 1048576
rss_growth = (int(settings["rss_end_kb"]) - int(settings["rss_100k_kb"])) / max(1, int(settings["rss_100k_kb"]))
burst_ok = int(settings["burst_ok"]) == int(settings["burst"]) and float(settings["burst_seconds"]) < 1.5
checks = [
    ("uncached ≥ 0.85× the libcurl floor (stretch 0.95×)", f"{uncached_ratio:.2f}×", uncached_ratio >= 0.85),
    (
        "responder CPU per uncached call ≤ 1.15× the libcurl floor's",
        f"{median('uncached', cpu_per_request):.0f} µs vs {median('curl-floor', cpu_per_request):.0f} µs ({cpu_ratio('uncached', 'curl-floor'):.2f}×)",
        cpu_ratio("uncached", "curl-floor") <= 1.15,
    ),
    (
        f"uncached p99 at {settings['connections']} connections ≤ 1.5× the libcurl floor's",
        f"{p99('uncached'):.2f} ms vs {p99('curl-floor'):.2f} ms ({p99_ratio:.2f}×)",
        p99_ratio <= 1.5,
    ),
    ("4 KiB answer: uncached ≥ 0.85× its libcurl floor", f"{ratio('uncached-4k', 'curl-floor-4k'):.2f}×", ratio("uncached-4k", "curl-floor-4k") >= 0.85),
    (
        "4 KiB answer: CPU per call ≤ 1.15× its libcurl floor's",
        f"{median('uncached-4k', cpu_per_request):.0f} µs vs {median('curl-floor-4k', cpu_per_request):.0f} µs ({cpu_ratio('uncached-4k', 'curl-floor-4k'):.2f}×)",
        cpu_ratio("uncached-4k", "curl-floor-4k") <= 1.15,
    ),
    (
        "4 KiB answer: p99 ≤ 1.5× its libcurl floor's",
        f"{p99('uncached-4k'):.2f} ms vs {p99('curl-floor-4k'):.2f} ms ({p99('uncached-4k') / p99('curl-floor-4k'):.2f}×)",
        p99("uncached-4k") / p99("curl-floor-4k") <= 1.5,
    ),
    ("cached ≥ 0.9× the fixed-answer floor", f"{cached_ratio:.2f}×", cached_ratio >= 0.9),
    (
        f"{settings['burst']} concurrent 1-second calls all 200 in < 1.5 s",
        f"{settings['burst_ok']}/{settings['burst']} in {settings['burst_seconds']} s",
        burst_ok,
    ),
    ("peak RSS ≤ 40 MiB under load (default workers)", f"{kib('peak_uncached_kb'):.1f} MiB uncached, {kib('peak_cached_kb'):.1f} MiB cached",
     max(kib("peak_uncached_kb"), kib("peak_cached_kb")) <= 40),
    (
        "RSS flat (±10%) from 100k to 1M requests",
        f"{kib('rss_100k_kb'):.1f} MiB at {int(settings['rss_100k_at']):,} → {kib('rss_end_kb'):.1f} MiB at {int(settings['rss_end_at']):,} ({rss_growth:+.1%})",
        abs(rss_growth) <= 0.10 and int(settings["rss_end_at"]) >= 1_000_000,
    ),
]
if single:
    added = [
        (
            "added latency at 1 connection, uncached over the libcurl floor (p50) ≤ 30 µs",
            f"{alone_p50('uncached') - alone_p50('curl-floor'):+.0f} µs",
            alone_p50("uncached") - alone_p50("curl-floor") <= 30,
        ),
        (f"added latency at 1 connection, cached over the fixed-answer floor (p50)", f"{alone_p50('cached') - alone_p50('floor'):+.0f} µs", None),
    ]
    checks[7:7] = added
metrics_cost = ratio("cached", "cached-metrics-off")
checks.append(("metrics cost ≤ 5% of cached throughput: cached ÷ cached with METRICS=false, same rounds", f"{metrics_cost:.3f}×", metrics_cost >= 0.95))
checks.append((
    "one scrape of /metrics after the run (median of 100, through nginx)",
    f"{int(settings['scrape_bytes']):,} bytes in {settings['scrape_ms']} ms",
    None,
))
if settings.get("baseline"):
    for kind in ["uncached", "cached"]:
        change = ratio(kind, f"before-{kind}")
        checks.append((f"{kind}: this build ÷ the baseline build, same rounds", f"{change:.2f}×", change >= 0.9))

text = f"""# Benchmark results

Written by `make bench` (bench/run.sh) on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.

**Machine**: {machine[0]}. {machine[1]}; {machine[2]}; {machine[3]}.

**Method**: wrk through nginx on loopback, `POST /data-action/user-lookup` with `{{"userId":"1"}}` and the
headers Genesys sends (bench/post.lua); {settings['threads']} wrk threads, {settings['connections']} connections,
{settings['duration']} per target, the targets interleaved in each of {settings['rounds']} rounds; medians over
the rounds. Every target is its own nginx server (`worker_processes auto`, access log off) with the same minimal
location; FastCGI targets get a new unix-socket connection per request (`fastcgi_keep_conn` off, as shipped). The
service runs with its defaults (64 workers, one log line per request at info, written to a file, metrics on and not
scraped during the rounds), the secret and organisation checks on, serving the built-in user lookup (no actions file); its upstream is nginx serving deploy/demo/users as static JSON
(0.5 KB), or bench/users-4k (a 4 KiB contact) for the two 4 KiB targets.

{chr(10).join(table)}

The service's binary: {binary_mib:.1f} MiB{f"; the baseline build's: {os.path.getsize(settings['baseline']) / 1048576:.1f} MiB" if settings.get('baseline') else ""} (release, not stripped). `make bench` measures the binary the Debian package ships: the Swift runtime linked in (`--static-swift-stdlib`); the baseline is whatever `BENCH_BASELINE` names.

vs floor: the median over rounds of (target requests/s ÷ floor requests/s in the same round). Process CPU: the
responder's own user + system time over the run divided by the requests it answered (nginx and wrk not counted; for
the service it includes its HTTP client's work). The last column is a separate pass with one connection and one
wrk thread: no queueing, so it is each target's own time per request through nginx. The libcurl floor does the same
upstream call as the service (a kept-alive GET of user 1 from the same upstream) and copies three fields into the
answer.

| target | measured | met |
| --- | --- | --- |
{chr(10).join(f"| {name} | {value} | {'—' if met is None else 'yes' if met else '**no**'} |" for name, value, met in checks)}

Peak RSS is the service's `VmHWM` after the rounds; the memory run drives the uncached service with wrk in 5-second
slices until {int(settings['rss_end_at']):,} requests and reads `VmRSS` once past 100k and at the end. The burst sends
{settings['burst']} calls at once with `curl --parallel` through nginx to a service with `WORKERS={settings['burst']}`
whose upstream (a threaded Python server) takes 1 second per answer.
"""
analysis_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ANALYSIS.md")
if os.path.exists(analysis_path):
    text += "\n" + open(analysis_path).read()
open(output_path, "w").write(text)
print(text)
