#!/usr/bin/env python3
"""Draws the results file of benchmarks/v8/compare.sh as a PNG: host ÷ V8 for each plugin, coloured
by the kind of code, with the issue's target (2×) and parity (1×) marked.

    python3 benchmarks/v8/chart.py benchmarks/v8/results/<date>.tsv [docs/images/v8-ratios.png]

Needs matplotlib (Debian: apt-get install python3-matplotlib; or pip install matplotlib)."""
import csv
import sys
import textwrap

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("chart.py needs matplotlib: apt-get install python3-matplotlib, or pip install matplotlib")


def read(source):
    """The comment line (how the run was made) and the rows of a results file."""
    with open(source) as f:
        lines = f.read().splitlines()
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    rows = list(csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t"))
    if not rows:
        sys.exit(f"chart.py: {source} holds no results")
    return (comments[0] if comments else source), rows


def main(source, target):
    how, rows = read(source)
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    colours = {k: plt.cm.tab10(i % 10) for i, k in enumerate(kinds)}
    names = [f"{r['plugin'][:-5] if r['plugin'].endswith('.wasm') else r['plugin']} ({r['runtime']})" for r in rows]
    ratios = [float(r["host_over_v8"]) for r in rows]
    fig, axis = plt.subplots(figsize=(10, 1.6 + 0.42 * len(rows)))
    ys = range(len(rows))
    axis.barh(ys, ratios, color=[colours[r["kind"]] for r in rows])
    for y, ratio in zip(ys, ratios):
        axis.text(ratio, y, f" {ratio:.2f}×", va="center", fontsize="small")
    axis.set_yticks(list(ys))
    axis.set_yticklabels(names)
    axis.invert_yaxis()
    axis.axvline(1, color="grey", linewidth=1)
    axis.axvline(2, color="red", linewidth=1, linestyle="--", label="target: at most 2× V8")
    axis.set_xlim(0, max(max(ratios), 2) * 1.15)
    axis.set_xlabel("time per request (Go-shaped: per run), JVM host ÷ V8 (node)")
    axis.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[k]) for k in kinds]
    axis.legend(handles + axis.get_legend_handles_labels()[0],
                kinds + axis.get_legend_handles_labels()[1], fontsize="small",
                loc="center left", bbox_to_anchor=(1.01, 0.5))
    axis.set_title("\n".join(textwrap.wrap(how, 110)), fontsize="small")
    fig.tight_layout()
    fig.savefig(target, dpi=100, bbox_inches="tight")
    print(f"wrote {target}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python3 benchmarks/v8/chart.py RESULTS.tsv [OUTPUT.png, default docs/images/v8-ratios.png]")
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "docs/images/v8-ratios.png")
