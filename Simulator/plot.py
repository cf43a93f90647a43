"""Plots the simulator's samples: one PNG per scenario, every policy on the same axes.

Usage: plot.py DIR   (reads DIR/<scenario>-<policy>.csv, writes DIR/<scenario>.png)
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {
    "nwaku": "tab:red",
    "peerd": "tab:blue",
    "peerd-baseline": "tab:grey",
    "peerd-oversub": "tab:orange",
    "peerd-floor": "tab:purple",
    "peerd-no-cooldown": "tab:brown",
    "peerd-sharded": "tab:green",
}
# The ablation runs are in the CSVs and the table; the plots keep to the policies compared.
PLOTTED = ("nwaku", "peerd-baseline", "peerd", "peerd-sharded")


def load(path):
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    shards = [key for key in rows[0] if key.startswith("shard_")] if rows else []
    hours = [int(row["seconds"]) / 3600 for row in rows]
    series = {
        "connections": [int(row["connections"]) for row in rows],
        "outbound relay": [int(row["outbound_relay"]) for row in rows],
        "thinnest subscribed shard": [min(int(row[s]) for s in shards) if shards else 0 for row in rows],
        "wasted dials (cumulative)": [int(row["wasted_dials"]) for row in rows],
    }
    return hours, series


def main():
    directory = Path(sys.argv[1])
    runs = defaultdict(dict)
    for path in sorted(directory.glob("*.csv")):
        if path.name == "summary.csv":
            continue
        for policy in sorted(COLOURS, key=len, reverse=True):
            if path.stem.endswith("-" + policy):
                runs[path.stem[: -len(policy) - 1]][policy] = load(path)
                break
    for scenario, policies in sorted(runs.items()):
        figure, axes = plt.subplots(4, 1, figsize=(10, 11), sharex=True)
        for policy, (hours, series) in sorted(policies.items()):
            if policy not in PLOTTED:
                continue
            for axis, (title, values) in zip(axes, series.items()):
                axis.plot(hours, values, label=policy, color=COLOURS.get(policy), linewidth=0.8)
                axis.set_title(title, fontsize=10)
        axes[2].axhline(4, color="grey", linestyle="--", linewidth=0.8, label="D_low = 4")
        axes[0].legend(loc="lower right", fontsize=8)
        axes[2].legend(loc="lower right", fontsize=8)
        axes[-1].set_xlabel("simulated hours")
        figure.suptitle(f"{scenario}: connectivity over time per policy")
        figure.tight_layout()
        figure.savefig(directory / f"{scenario}.png", dpi=90)
        plt.close(figure)
        print(f"plot: {directory / (scenario + '.png')}")


if __name__ == "__main__":
    main()
