"""nas_search.py — platform-aware NAS over an MBConv-style space, with tpusim
as the latency oracle on tpu_v3, tpu_v4i and edgetpu.

The space (MnasNet-style, factorised by stage): 5 stages of 4 blocks (20
blocks), each stage choosing its block (depthwise-IBN, fused-IBN, GC-IBN
with 2 or 4 groups), kernel 3 or 5, expansion 1/4/6, ReLU or swish, SE on or
off, and a width multiplier 0.75/1/1.25. Random search; MACs stand in for
accuracy (more is better); the Pareto front of latency against MACs is
printed per chip, and the front of latency against energy per inference
(both from the same cached query: docs/energy.md). Then the same question
asked directly: in each stage, which block is fastest, all else fixed?
usage: nas_search.py [CANDIDATES] [SEED]
"""
import os
import random
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import tpusim  # noqa: E402

CHIPS = ("tpu_v3", "tpu_v4i", "edgetpu")
WIDTHS = (24, 40, 80, 112, 192)          # stage output channels at width 1.0
STRIDES = (2, 2, 2, 1, 2)                # first block of each stage (stem: 2)
BLOCKS = ("dw_ibn", "fused_ibn", "gc_ibn2", "gc_ibn4")
SHORT = {"dw_ibn": "DW", "fused_ibn": "F", "gc_ibn2": "G2", "gc_ibn4": "G4"}


def random_stage(rng):
    return {"block": rng.choice(BLOCKS), "kernel": rng.choice((3, 5)),
            "expand": rng.choice((1, 4, 6)), "act": rng.choice(("relu", "swish")),
            "se": rng.random() < 0.5, "width": rng.choice((0.75, 1.0, 1.25))}


def build(stages):
    net = tpusim.Net((1, 3, 224, 224)).add("conv", 32, kernel=3, stride=2, act="swish")
    for s, st in enumerate(stages):
        width = max(8, int(WIDTHS[s] * st["width"] + 4) // 8 * 8)
        kind, groups = st["block"], 1
        if kind.startswith("gc_ibn"):
            kind, groups = "gc_ibn", int(st["block"][-1])
        for b in range(4):
            net.add(kind, width, kernel=st["kernel"], stride=STRIDES[s] if b == 0 else 1,
                    expand=st["expand"], groups=groups, act=st["act"], se=st["se"])
    return net.add("head", 1280, act="swish", classes=1000)


def describe(stages):
    return " ".join("%s%dk%de%d" % (SHORT[st["block"]], int(st["width"] * 100), st["kernel"],
                                    st["expand"]) for st in stages)


def pareto(points):
    """Points (latency, macs, ...) not beaten by one faster with more MACs."""
    front, best = [], -1
    for p in sorted(points, key=lambda p: (p[0], -p[1])):
        if p[1] > best:
            front.append(p)
            best = p[1]
    return front


def pareto_min(points):
    """Points (latency, energy, ...) not beaten by one at most as slow using less energy."""
    front, best = [], float("inf")
    for p in sorted(points, key=lambda p: (p[0], p[1])):
        if p[1] < best:
            front.append(p)
            best = p[1]
    return front


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    chips = [tpusim.Chip(c) for c in CHIPS]
    cands, queries, t0 = [], 0, time.perf_counter()
    for _ in range(n):
        stages = [random_stage(rng) for _ in WIDTHS]
        net = build(stages)
        macs = net.totals()["macs"]
        costs = [c.seconds_and_energy(net) for c in chips]
        cands.append((stages, macs, [s for s, _ in costs], [e for _, e in costs]))
        queries += len(chips)
    dt = time.perf_counter() - t0
    print("%d candidates x %d chips in %.2f s (graph totals for MACs included)\n"
          % (n, len(chips), dt))
    for ci, chip in enumerate(CHIPS):
        front = pareto([(c[2][ci], c[1], describe(c[0]), c[0]) for c in cands])
        print("Pareto front on %s (latency vs MACs; stages as BLOCK, WIDTH%%, k, e):" % chip)
        for lat, macs, desc, _ in front:
            print("  %8.1f us  %6.0f M MACs  %s" % (lat * 1e6, macs / 1e6, desc))
        share = []
        for s in range(len(WIDTHS)):
            kinds = [p[3][s]["block"] for p in front]
            share.append(max(BLOCKS, key=kinds.count))
        print("  most common block per stage on the front: %s\n"
              % " ".join(SHORT[k] for k in share))
        front = pareto_min([(c[2][ci], c[3][ci], c[1], describe(c[0])) for c in cands])
        print("Pareto front on %s (latency vs energy per inference; TDP %.0f W):"
              % (chip, chips[ci].tdp_w))
        for lat, uj, macs, desc in front:
            print("  %8.1f us  %9.1f uJ  %6.2f W  %6.0f M MACs  %s"
                  % (lat * 1e6, uj, uj * 1e-6 / lat, macs / 1e6, desc))
        print()
    # The direct question: one stage's block swapped, all else fixed.
    base = [{"block": "dw_ibn", "kernel": 3, "expand": 6, "act": "relu", "se": False,
             "width": 1.0} for _ in WIDTHS]
    print("Per stage, latency (us) with each block, the rest depthwise-IBN k3 e6 ReLU:")
    print("  %-8s %-6s %s" % ("chip", "stage", "  ".join("%9s" % SHORT[b] for b in BLOCKS)))
    for ci, chip in enumerate(chips):
        best, ends = [], []
        for s in range(len(WIDTHS)):
            lat = {}
            for b in BLOCKS:
                stages = [dict(st) for st in base]
                stages[s]["block"] = b
                lat[b] = chip.seconds(build(stages)) * 1e6
            best.append(min(lat, key=lat.get))
            if s in (0, len(WIDTHS) - 1):
                ends.append(lat)
            print("  %-8s %-6d %s" % (CHIPS[ci], s + 1,
                                      "  ".join("%9.1f" % lat[b] for b in BLOCKS)))
        print("  %-8s fastest per stage: %s" % (CHIPS[ci], " ".join(SHORT[b] for b in best)))
        early, late = ends
        print("  %-8s stage 1: fused-IBN %+.0f%% vs depthwise-IBN, GC-IBN(4) %+.0f%%; "
              "stage 5: fused-IBN %+.0f%%, GC-IBN(4) %+.0f%%" % (
                  CHIPS[ci], 100 * (early["fused_ibn"] / early["dw_ibn"] - 1),
                  100 * (early["gc_ibn4"] / early["dw_ibn"] - 1),
                  100 * (late["fused_ibn"] / late["dw_ibn"] - 1),
                  100 * (late["gc_ibn4"] / late["dw_ibn"] - 1)))


if __name__ == "__main__":
    main()
