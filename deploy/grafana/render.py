#!/usr/bin/env python3
"""Draws the Grafana dashboard's panels into one PNG from a real Prometheus, for a README
where Grafana itself is not at hand: the same panels, queries, layout and units, plotted with
matplotlib (Debian: python3-matplotlib).

    render.py DASHBOARD.json PROMETHEUS_URL START END OUTPUT.png

START and END are Unix times; every variable is set to all, `$__rate_interval` to four scrape
intervals (SCRAPE_SECONDS, default 2) and `$__range` to the whole span.
"""
import json
import os
import re
import sys
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

dashboard_path, prometheus, start, end, output = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
scrape = int(os.environ.get("SCRAPE_SECONDS", "2"))
dashboard = json.load(open(dashboard_path))
step = max(scrape, int((end - start) / 240))


def query(expression):
    expression = (expression.replace("$__rate_interval", f"{4 * scrape}s").replace("$__range", f"{int(end - start)}s")
                  .replace("$instance", ".*").replace("$action", ".*"))
    parameters = urllib.parse.urlencode({"query": expression, "start": start, "end": end, "step": step})
    answer = json.load(urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{parameters}", timeout=30))
    return answer["data"]["result"]


def legend(template, labels):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda match: labels.get(match.group(1), ""), template or "").strip() or str(labels)


UNITS = {"percentunit": (100, "%"), "s": (1000, "ms"), "bytes": (1 / 1048576, "MiB"), "reqps": (1, "/s")}

plt.style.use("dark_background")
# Two grid units on top for the title.
rows = max(panel["gridPos"]["y"] + panel["gridPos"]["h"] for panel in dashboard["panels"]) + 2
figure = plt.figure(figsize=(24, rows * 0.42), dpi=80, facecolor="#111217")
figure.text(0.01, 1 - 1.2 / rows, f"{dashboard['title']}: {int((end - start) / 60)} minutes of `make soak`, drawn from Prometheus",
            fontsize=17, color="#d8d9da")
for panel in dashboard["panels"]:
    grid = panel["gridPos"]
    top = grid["y"] + 2
    box = [grid["x"] / 24 + 0.03, 1 - (top + grid["h"]) / rows + 0.02, grid["w"] / 24 - 0.045, grid["h"] / rows - 0.045]
    if panel["type"] == "row":
        figure.text(box[0], box[1] + 0.01, panel["title"], fontsize=15, weight="bold", color="#d8d9da")
        continue
    axes = figure.add_axes(box, facecolor="#181b1f")
    axes.set_title(panel["title"], loc="left", fontsize=11, color="#d8d9da")
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
    scale, suffix = UNITS.get(unit, (1, ""))
    # A series whose name an override's regular expression matches is drawn on a second axis
    # in the override's unit, as Grafana draws it on the right.
    overrides = [(re.compile(override["matcher"]["options"]), next(p["value"] for p in override["properties"] if p["id"] == "unit"))
                 for override in panel.get("fieldConfig", {}).get("overrides", [])
                 if override["matcher"]["id"] == "byRegexp" and any(p["id"] == "unit" for p in override["properties"])]
    right = None
    series = [(legend(target.get("legendFormat"), result["metric"]), result["values"])
              for target in panel["targets"] for result in query(target["expr"])]
    if panel["type"] == "stat":
        axes.axis("off")
        text = "\n".join(f"{name}: {float(values[-1][1]) * scale:.3g}{suffix}" for name, values in series
                         if values[-1][1] not in ("NaN", "+Inf")) or "no data"
        axes.text(0.5, 0.45, text, ha="center", va="center", fontsize=14, color="#73bf69", transform=axes.transAxes)
        continue
    for index, (name, values) in enumerate(series):
        target, factor = axes, scale
        override = next((unit for pattern, unit in overrides if pattern.fullmatch(name)), None)
        if override:
            right = right or axes.twinx()
            target, factor = right, UNITS.get(override, (1, ""))[0]
            right.set_ylabel(UNITS.get(override, (1, ""))[1], color="#9fa7b3")
            right.tick_params(labelsize=8, colors="#9fa7b3")
        times = [(float(time) - start) / 60 for time, _ in values]
        points = [float(value) * factor if value not in ("NaN", "+Inf", "-Inf") else float("nan") for _, value in values]
        color = f"C{index % 10}"
        if panel["type"] == "state-timeline":
            target.step(times, points, where="post", label=name, color=color)
        else:
            target.plot(times, points, label=name, linewidth=1.2, color=color)
    if panel["type"] == "state-timeline":
        axes.set_yticks([0, 1, 2], ["closed", "half-open", "open"])
        axes.set_ylim(-0.3, 2.3)
    elif suffix:
        axes.set_ylabel(suffix, color="#9fa7b3")
    axes.set_xlabel("minutes", color="#9fa7b3", fontsize=8)
    axes.tick_params(labelsize=8, colors="#9fa7b3")
    axes.grid(color="#2c3235", linewidth=0.6)
    if series:
        handles = axes.get_legend_handles_labels()[0] + (right.get_legend_handles_labels()[0] if right else [])
        axes.legend(handles=handles, fontsize=7, loc="upper left", ncol=2, framealpha=0.4)
    else:
        axes.text(0.5, 0.5, "no data", ha="center", va="center", color="#9fa7b3", transform=axes.transAxes)
figure.savefig(output, facecolor=figure.get_facecolor())
print(f"render: {output}")
