"""SCALE-Sim's os and is compute cycles, utilisations and SRAM access
counts, worked out independently of tpusim.

usage: scalesim_os_is.py TOPOLOGY.csv conv|gemm os|is ARRAY_HEIGHT ARRAY_WIDTH OUTDIR

Checks every row of OUTDIR's COMPUTE_REPORT.csv (Total Cycles, Overall
Util %, Mapping Efficiency %, Compute Util %) and DETAILED_ACCESS_REPORT.csv
(SRAM IFMAP Reads, SRAM Filter Reads, SRAM OFMAP Writes) against the
closed forms below; prints each mismatch; exits 1 on any. The topology
must be well formed (one layer per row, no DP layers): this is a check, not
a parser.

Derivation, from SCALE-Sim v2 (scalesim-project/scale-sim-v2 @ 22f88b1).
A conv layer is the GEMM of M = E_h * E_w output pixels (E = ceil((H - R +
s) / s), topology_utils.py), K = R * S * C (the window), N filters; a GEMM
row M, N, K is that GEMM. With no stalls, demand row i is served in cycle i
and "Total Cycles" is the index of the last OFMAP demand row
(double_buffered_scratchpad_mem.py): folds x (rows per fold) - 1.

os (systolic_compute_os.py): Sr = M on the H rows, Sc = N on the W
columns, T = K streamed; folds = ceil(M / H) * ceil(N / W), N-folds outer.
Per fold the IFMAP demand is T rows plus W - 1 rows of drain, skewed over H
rows (H - 1 more): T + H + W - 2 rows. Its per-fold cycles for Compute Util
are the OFMAP demand's rows (T - 1 prefix, H outputs) plus W columns less
one: the same T + H + W - 2. Reads: IFMAP M*K per N-fold, filter K*N per
M-fold; OFMAP writes M*N plus, per fold, the demand matrix's rows and
columns (H + W) once more, as its counter adds them.

is (systolic_compute_is.py): Sr = K on the H rows, Sc = M on the W columns,
T = N streamed; folds = ceil(K / H) * ceil(M / W), M-folds outer. Per fold
the FILTER demand is H rows of prefix (the IFMAP tile shifts in), T rows,
W - 1 rows of drain, skewed over H columns (H - 1 more): T + 2H + W - 2
rows. Its per-fold cycles for Compute Util are the IFMAP demand's H rows
plus H + W + T - 2 rows of suffix, plus W columns less one: T + 2H + 2W - 3.
Reads: IFMAP K*M once, filter K*N per M-fold; OFMAP writes M*N per K-fold.

Both: Overall Util % = M * K * N * 100 / (total * H * W); Mapping
Efficiency and Compute Util are per-fold values (used rows x used columns
/ (H * W); that x T / (H * W * fold cycles)) averaged over the folds.
"""
import csv
import math
import sys


def gemm_of(row, gemm):
    if gemm:
        m, n, k = (int(x) for x in row[1:4])
        return m, k, n
    ih, iw, fh, fw, ch, nf, st = (int(x) for x in row[1:8])
    eh = math.ceil((ih - fh + st) / st)
    ew = math.ceil((iw - fw + st) / st)
    return eh * ew, fh * fw * ch, nf


def used(size, edge, f):
    return min(edge, size - f * edge)


def expected(m, k, n, df, h, w):
    if df == "os":
        sr, sc, t = m, n, k
        rows_per_fold = t + h + w - 2
        fold_cycles = t + h + w - 2
    else:
        sr, sc, t = k, m, n
        rows_per_fold = t + 2 * h + w - 2
        fold_cycles = t + 2 * h + 2 * w - 3
    fr_n, fc_n = math.ceil(sr / h), math.ceil(sc / w)
    folds = fr_n * fc_n
    total = folds * rows_per_fold - 1
    maps, utils = [], []
    for fc in range(fc_n):
        for fr in range(fr_n):
            macs = used(sr, h, fr) * used(sc, w, fc)
            maps.append(macs / (h * w))
            utils.append(macs * t / (h * w * fold_cycles))
    if df == "os":
        reads = (fc_n * m * k, fr_n * k * n, m * n + folds * (h + w))
    else:
        reads = (k * m, fc_n * k * n, fr_n * m * n)
    return (total, m * k * n * 100 / (total * h * w), sum(maps) / folds * 100,
            sum(utils) / folds * 100), reads


def main():
    topo, kind, df = sys.argv[1], sys.argv[2], sys.argv[3]
    h, w, out = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    rows = [r for r in csv.reader(open(topo))][1:]
    rows = [r for r in rows if r and r[0].strip()]
    comp = [r for r in csv.reader(open(out + "/COMPUTE_REPORT.csv"))][1:]
    acc = [r for r in csv.reader(open(out + "/DETAILED_ACCESS_REPORT.csv"))][1:]
    if len(comp) != len(rows) or len(acc) != len(rows):
        print(f"{out}: {len(comp)}/{len(acc)} layers, expected {len(rows)}")
        return 1
    bad = 0
    for i, (row, c, a) in enumerate(zip(rows, comp, acc)):
        (total, util, mapping, cutil), reads = expected(*gemm_of(row, kind == "gemm"), df, h, w)
        got = (int(c[1]), float(c[3]), float(c[4]), float(c[5]))
        got_reads = (int(a[3]), int(a[6]), int(a[9]))
        if got != (total, util, mapping, cutil) or got_reads != reads:
            print(f"layer {i} {row[0]} ({df}, {h}x{w}): report {got} {got_reads}; "
                  f"closed form {(total, util, mapping, cutil)} {reads}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
