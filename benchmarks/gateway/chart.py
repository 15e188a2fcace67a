#!/usr/bin/env python3
"""Draws a gateway benchmark's CSV (written by run.sh) as a PNG: requests per second and p99
latency of each case at each connection count.

    python3 benchmarks/gateway/chart.py results/<date>.csv docs/images/gateway-benchmark.png

Needs matplotlib (pip install matplotlib)."""
import csv
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("chart.py needs matplotlib: pip install matplotlib")


def main(source, target):
    rows = list(csv.DictReader(open(source)))
    cases = list(dict.fromkeys(r["case"] for r in rows if "reloaded" not in r["case"]))
    connections = sorted({int(r["connections"]) for r in rows})
    value = {(r["case"], int(r["connections"])): r for r in rows}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    width = 0.8 / len(cases)
    for i, case in enumerate(cases):
        xs = [c + i * width for c in range(len(connections))]
        rps = [float(value[(case, c)]["requests_per_s"]) for c in connections]
        p99 = [float(value[(case, c)]["p99_ms"]) for c in connections]
        top.bar(xs, rps, width, label=case)
        bottom.bar(xs, p99, width, label=case)
    for axis, title in ((top, "requests per second"), (bottom, "p99 latency (ms)")):
        axis.set_xticks([c + 0.4 - width / 2 for c in range(len(connections))])
        axis.set_xticklabels([f"{c} connection{'s' if c > 1 else ''}" for c in connections])
        axis.set_title(title)
        axis.grid(axis="y", alpha=0.3)
    top.legend(fontsize="small", ncol=2)
    fig.suptitle("proxy-wasm serve against nginx, wrk on one 2-processor machine (" + source.split("/")[-1][:-4] + ")")
    fig.tight_layout()
    fig.savefig(target, dpi=80)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py RESULTS.csv OUT.png")
    main(sys.argv[1], sys.argv[2])
