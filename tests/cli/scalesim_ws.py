"""SCALE-Sim's ws compute cycles, worked out independently of tpusim.

usage: scalesim_ws.py TOPOLOGY.csv conv|gemm ARRAY_HEIGHT ARRAY_WIDTH COMPUTE_REPORT.csv

Checks every row of COMPUTE_REPORT.csv (tpusim scalesim's) against the
closed form below; prints each mismatch; exits 1 on any. The topology must
be well formed (one layer per row, no DP layers): this is a check, not a
parser.

Derivation, from SCALE-Sim v2 (scalesim-project/scale-sim-v2 @ 22f88b1):
- topology_utils.py: E_h = ceil((H - R + s_h) / s_h), E_w likewise; the
  layer is the GEMM T = E_h * E_w (rows streamed), Sr = R * S * C (window,
  on the array's rows), Sc = filters (on its columns). A GEMM row M, N, K
  is the conv IFMAP M x K, filter 1 x K, 1 channel, N filters, stride 1:
  T = M, Sr = K, Sc = N.
- systolic_compute_ws.py: folds = ceil(Sr / H) * ceil(Sc / W). Each fold's
  OFMAP demand matrix has 2H - 1 rows of prefix (weights shift in, H
  cycles, and the first sum crosses H - 1 more PEs), then T rows, then is
  skewed across W columns (W - 1 more rows): T + 2H + W - 2 rows per fold.
- double_buffered_scratchpad_mem.py: with no stalls, demand row i is served
  in cycle i and "Total Cycles" is the cycle of the last OFMAP row:
      total = folds * (T + 2H + W - 2) - 1
- single_layer_sim.py: Overall Util % = T * Sr * Sc * 100 / (total * H * W).
"""
import csv
import math
import sys


def expected(row, gemm, h, w):
    if gemm:
        m, n, k = (int(x) for x in row[1:4])
        t, sr, sc = m, k, n
    else:
        ih, iw, fh, fw, ch, nf, st = (int(x) for x in row[1:8])
        eh = math.ceil((ih - fh + st) / st)
        ew = math.ceil((iw - fw + st) / st)
        t, sr, sc = eh * ew, fh * fw * ch, nf
    folds = math.ceil(sr / h) * math.ceil(sc / w)
    total = folds * (t + 2 * h + w - 2) - 1
    util = t * sr * sc * 100 / (total * h * w)
    return total, util


def main():
    topo, kind, h, w, report = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rows = [r for r in csv.reader(open(topo))][1:]
    rows = [r for r in rows if r and r[0].strip()]
    got = [r for r in csv.reader(open(report))][1:]
    bad = 0
    if len(got) != len(rows):
        print(f"{report}: {len(got)} layers, expected {len(rows)}")
        return 1
    for i, (row, rep) in enumerate(zip(rows, got)):
        total, util = expected(row, kind == "gemm", h, w)
        if int(rep[1]) != total or float(rep[3]) != util:
            print(f"layer {i} {row[0]}: Total Cycles {rep[1]}, Overall Util {rep[3]}; "
                  f"SCALE-Sim's closed form {total}, {util!r}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
