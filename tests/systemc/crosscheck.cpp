/*
 * crosscheck.cpp — the lock-step differential test: sim/mxu.c's closed form
 * against the PE-level SystemC model (systolic.h), tile boundary by tile
 * boundary, zero tolerance; the closed form's corner cases worked by hand;
 * the hazard limits of the array (a schedule one cycle earlier than the
 * closed form's breaks it); and the TLM-2.0 wrapper (tlm_check.cpp).
 *
 * SystemC elaborates once per process, so each group of jobs on one array
 * runs in a child process (fork) and reports back through a pipe; the
 * parent never touches the kernel. Prints "systemc: N passed, N failed" and
 * exits non-zero on any failure. TPUSIM_SYSTEMC_SEED=<n> reruns the random
 * shapes of a failing seed; TPUSIM_SYSTEMC_JOBS=<n> caps the parallel
 * children (default: the CPUs).
 */
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <systemc> /* declares sc_main extern "C" */
#include <vector>

#include "crosscheck.h"
#include "mxu.h"
#include "systolic.h"

using systolic::Job;
using systolic::Result;
using systolic::TileTimes;

namespace {

uint64_t xorshift(uint64_t &s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

std::string fmt(const char *f, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

/* enum mxu_dataflow's names, as SCALE-Sim writes them. */
const char *const df_names[] = {"ws", "os", "is"};

enum class Expect {
    agree,  /* both models, every boundary equal; numbers right; no hazard */
    hazard, /* a schedule beyond the array's limits: the PEs must object */
    clean,  /* a given schedule the PEs must accept: numbers right, no hazard */
};

struct Case {
    Job job;
    Expect expect = Expect::agree;
    std::string label;
    /* Hand-worked expectation (agree only): every tile and the total. */
    std::vector<TileTimes> hand;
    uint64_t hand_total = 0;
};

struct Group {
    std::string name;
    unsigned rows = 0, cols = 0;
    bool db = true;
    /* os: the output-stationary reference (systolic_os.cpp); is: the
     * weight-stationary one on the transposed GEMM, against the closed
     * form's input-stationary array. */
    enum mxu_dataflow df = MXU_WEIGHT_STATIONARY;
    std::vector<Case> cases;
    uint64_t seed = 0; /* printed on failure (random groups) */
    bool speed = false; /* report the reference model's speed */
    bool tlm = false;   /* the TLM-2.0 wrapper's checks instead */
};

/* ---------------------------------------------------------------- checks */

bool same(const TileTimes &a, const TileTimes &b)
{
    return a.load_start == b.load_start && a.load_end == b.load_end &&
           a.stream_start == b.stream_start && a.stream_end == b.stream_end &&
           a.first_output == b.first_output && a.last_output == b.last_output;
}

std::string show(const TileTimes &t)
{
    return fmt("load [%llu,%llu) stream [%llu,%llu) out %llu..%llu",
               (unsigned long long)t.load_start, (unsigned long long)t.load_end,
               (unsigned long long)t.stream_start, (unsigned long long)t.stream_end,
               (unsigned long long)t.first_output, (unsigned long long)t.last_output);
}

/* The accumulators against a plain triple loop: int32 exactly; fp32 within
 * the error bound of fp32 summation of exact bf16 x bf16 products (each
 * product fits fp32's mantissa; a column sums R of them in order, then the
 * accumulator adds the k-tiles: at most R + k_tiles roundings of 2^-24
 * relative to the sum of |products|). */
std::string check_values(const Job &j, const Result &r, unsigned rows)
{
    const uint64_t M = j.m, K = j.k, N = j.n, kt = (K + rows - 1) / rows;
    const double rel_bound = (double)(rows + kt + 1) * std::ldexp(1.0, -24) * 1.0001;
    for (uint64_t i = 0; i < M; i++)
        for (uint64_t n = 0; n < N; n++) {
            int64_t q = 0;
            double f = 0, mag = 0;
            for (uint64_t k = 0; k < K; k++) {
                q += (int64_t)r.a_q[i * K + k] * r.w_q[k * N + n];
                double p = (double)r.a_f[i * K + k] * r.w_f[k * N + n];
                f += p;
                mag += std::fabs(p);
            }
            if (q != r.out_q[i * N + n])
                return fmt("int8 result [%llu][%llu] = %d, triple loop %lld",
                           (unsigned long long)i, (unsigned long long)n, r.out_q[i * N + n],
                           (long long)q);
            double err = std::fabs((double)r.out_f[i * N + n] - f);
            if (err > rel_bound * mag)
                return fmt("bf16 result [%llu][%llu] = %.9g, exact %.9g: error %.3g > %.3g",
                           (unsigned long long)i, (unsigned long long)n,
                           (double)r.out_f[i * N + n], f, err, rel_bound * mag);
        }
    return "";
}

/* The job the reference runs for GEMM j: input stationary is the
 * weight-stationary array with A and W exchanged, (N x K)(K x M). */
Job reference_job(const Group &g, const Job &j)
{
    Job x = j;
    if (g.df == MXU_INPUT_STATIONARY)
        std::swap(x.m, x.n);
    return x;
}

/* The accumulators against a triple loop; an output-stationary PE sums all
 * K products in turn (one rounding each). */
std::string check_values_of(const Group &g, const Job &j, const Result &r)
{
    const Job x = reference_job(g, j);
    return check_values(x, r, g.df == MXU_OUTPUT_STATIONARY ? (unsigned)x.k : g.rows);
}

/* Both models on one job; "" when they agree to the cycle. */
std::string check_agree(const Group &g, const Case &c, const Result &r)
{
    const Job &j = c.job;
    if (!r.finished)
        return "reference model did not finish (deadlock guard)";
    if (r.hazards)
        return fmt("%llu hazards, first: %s", (unsigned long long)r.hazards,
                   r.first_hazard.c_str());
    std::string v = check_values_of(g, j, r);
    if (!v.empty())
        return v;
    const struct mxu_params p = {g.rows, g.cols, g.db ? 1 : 0, g.df};
    struct mxu_timing m;
    mxu_gemm_one(&p, j.m, j.k, j.n, &m);
    uint64_t tiles = m.tiles;
    if (g.df == MXU_WEIGHT_STATIONARY && mxu_tile_count(&p, j.k, j.n) != tiles)
        return "mxu_tile_count and mxu_gemm_one disagree";
    if (tiles != r.tiles.size())
        return fmt("tiles: fast %llu, reference %zu", (unsigned long long)tiles, r.tiles.size());
    for (uint64_t t = 0; t < tiles; t++) {
        struct mxu_tile_times x;
        mxu_tile(&p, j.m, j.k, j.n, t, &x);
        TileTimes f;
        f.load_start = x.load_start;
        f.load_end = x.load_end;
        f.stream_start = x.stream_start;
        f.stream_end = x.stream_end;
        f.first_output = x.first_output;
        f.last_output = x.last_output;
        if (!same(f, r.tiles[t]))
            return fmt("tile %llu: fast %s; reference %s", (unsigned long long)t, show(f).c_str(),
                       show(r.tiles[t]).c_str());
        if (!c.hand.empty() && !same(c.hand[t], r.tiles[t]))
            return fmt("tile %llu: by hand %s; both models %s", (unsigned long long)t,
                       show(c.hand[t]).c_str(), show(r.tiles[t]).c_str());
    }
    if (m.total_cycles != r.total_cycles)
        return fmt("total: fast %llu, reference %llu", (unsigned long long)m.total_cycles,
                   (unsigned long long)r.total_cycles);
    if (c.hand_total && c.hand_total != r.total_cycles)
        return fmt("total: by hand %llu, both models %llu", (unsigned long long)c.hand_total,
                   (unsigned long long)r.total_cycles);
    /* The reference charges the last output's cycle to fill/drain; mxu.c
     * keeps it apart as the "+1". */
    if (m.stream_cycles != r.stream_cycles || m.weight_load_cycles != r.weight_load_cycles ||
        m.fill_drain_cycles + 1 != r.fill_drain_cycles)
        return fmt("attribution: fast stream %llu load %llu fill/drain %llu(+1), reference "
                   "%llu %llu %llu",
                   (unsigned long long)m.stream_cycles,
                   (unsigned long long)m.weight_load_cycles,
                   (unsigned long long)m.fill_drain_cycles, (unsigned long long)r.stream_cycles,
                   (unsigned long long)r.weight_load_cycles,
                   (unsigned long long)r.fill_drain_cycles);
    return "";
}

std::string check_case(const Group &g, const Case &c, const Result &r)
{
    switch (c.expect) {
    case Expect::agree:
        return check_agree(g, c, r);
    case Expect::hazard:
        return r.hazards ? "" : "a schedule past the array's limits raised no hazard";
    case Expect::clean:
        if (!r.finished)
            return "did not finish";
        if (r.hazards)
            return fmt("%llu hazards, first: %s", (unsigned long long)r.hazards,
                       r.first_hazard.c_str());
        return check_values_of(g, c.job, r);
    }
    return "bad case";
}

/* The fast model's speed on the same GEMM: calls per second. */
double fast_model_calls_per_second(const Group &g, const Job &j)
{
    const struct mxu_params p = {g.rows, g.cols, g.db ? 1 : 0, g.df};
    const int calls = 2000000;
    volatile uint64_t sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; i++) {
        struct mxu_timing m;
        mxu_gemm_one(&p, j.m + (uint64_t)(i & 1), j.k, j.n, &m);
        sink = sink + m.total_cycles;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return calls / s;
}

/* In the child: runs the group, writes "P|F|I <text>" lines to fd. */
void run_group(const Group &g, int fd)
{
    std::string out;
    int passed = 0, failed = 0;
    if (g.tlm) {
        tlm_check(&passed, &failed, &out);
    } else {
        std::vector<Job> jobs;
        for (const Case &c : g.cases)
            jobs.push_back(reference_job(g, c.job));
        std::vector<Result> res;
        systolic::Stats st;
        if (g.df == MXU_OUTPUT_STATIONARY)
            systolic::run_jobs_os(g.rows, g.cols, jobs, res, &st);
        else
            systolic::run_jobs(g.rows, g.cols, g.db, jobs, res, &st);
        for (size_t i = 0; i < g.cases.size(); i++) {
            const Case &c = g.cases[i];
            std::string why = check_case(g, c, res[i]);
            if (why.empty()) {
                passed++;
                continue;
            }
            failed++;
            out += fmt("F %s: %ux%u %s %s M=%llu K=%llu N=%llu%s: ", g.name.c_str(), g.rows,
                       g.cols, df_names[g.df], g.db ? "double-buffered" : "single-buffered",
                       (unsigned long long)c.job.m, (unsigned long long)c.job.k,
                       (unsigned long long)c.job.n, c.label.c_str());
            out += why;
            if (g.seed)
                out += fmt(" [seed %#llx; rerun with TPUSIM_SYSTEMC_SEED=%#llx]",
                           (unsigned long long)g.seed, (unsigned long long)g.seed);
            out += "\n";
        }
        if (g.speed && !res.empty() && res[0].finished) {
            const Job &j = g.cases[0].job;
            double ref_cps = (double)res[0].total_cycles / res[0].sim_seconds;
            double calls = fast_model_calls_per_second(g, j);
            out += fmt("I %ux%u M=%llu K=%llu N=%llu: %llu cycles. Reference model: %.3f s "
                       "(%.3g cycles/s, %.3g PE-cycles/s; elaboration %.2f s). Fast model: "
                       "%.3g GEMMs/s (%.3g cycles/s)\n",
                       g.rows, g.cols, (unsigned long long)j.m, (unsigned long long)j.k,
                       (unsigned long long)j.n, (unsigned long long)res[0].total_cycles,
                       res[0].sim_seconds, ref_cps, ref_cps * g.rows * g.cols,
                       st.elaborate_seconds, calls, calls * (double)res[0].total_cycles);
        }
    }
    out += fmt("C %d %d\n", passed, failed);
    size_t off = 0;
    while (off < out.size()) {
        ssize_t w = write(fd, out.data() + off, out.size() - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

/* ------------------------------------------------------------- the cases */

TileTimes tt(uint64_t ls, uint64_t le, uint64_t ss, uint64_t se, uint64_t fo, uint64_t lo)
{
    TileTimes t;
    t.load_start = ls;
    t.load_end = le;
    t.stream_start = ss;
    t.stream_end = se;
    t.first_output = fo;
    t.last_output = lo;
    return t;
}

Case hand_case(const char *label, uint64_t m, uint64_t k, uint64_t n,
               std::vector<TileTimes> tiles, uint64_t total)
{
    Case c;
    c.job.m = m;
    c.job.k = k;
    c.job.n = n;
    c.job.data_seed = 0x9E3779B97F4A7C15ULL ^ (m * 131 + k * 17 + n);
    c.label = std::string(" (") + label + ")";
    c.hand = std::move(tiles);
    c.hand_total = total;
    return c;
}

Case scheduled(const char *label, Expect e, uint64_t m, uint64_t k, uint64_t n,
               std::vector<uint64_t> load_at, std::vector<uint64_t> stream_at)
{
    Case c;
    c.job.m = m;
    c.job.k = k;
    c.job.n = n;
    c.job.data_seed = 12345 + m + k + n;
    c.job.load_at = std::move(load_at);
    c.job.stream_at = std::move(stream_at);
    c.expect = e;
    c.label = std::string(" (") + label + ")";
    return c;
}

void add_hand_cases(std::vector<Group> &groups)
{
    /* Worked on a 4x4 double-buffered array (R = C = 4, drain R+C-2 = 6).
     * Output of row i, column c leaves at stream_start + i + c + R. */
    Group g;
    g.name = "by hand";
    g.rows = g.cols = 4;
    g.db = true;
    /* One tile, M = 6: load [0,4); stream [4,10); first out 4+4 = 8; last
     * out 10+4+4-2 = 16; total 17 = 2R + C - 1 + M. */
    g.cases.push_back(hand_case("one tile", 6, 4, 4, {tt(0, 4, 4, 10, 8, 16)}, 17));
    /* K = R+1: two k-tiles. Tile 1 loads into the shadow from max(4, 4)
     * = 4 to 8 while tile 0 streams; streams at max(8, 10) = 10 to 16;
     * outputs 14 .. 22; total 23 = 17 + max(M, R). */
    g.cases.push_back(hand_case("K = R+1", 6, 5, 4,
                                {tt(0, 4, 4, 10, 8, 16), tt(4, 8, 10, 16, 14, 22)}, 23));
    /* N = C+1: two n-tiles, the same pipeline (the accumulators of the
     * second n-tile are other columns of the result). */
    g.cases.push_back(hand_case("N = C+1", 6, 4, 5,
                                {tt(0, 4, 4, 10, 8, 16), tt(4, 8, 10, 16, 14, 22)}, 23));
    /* M = 1, K = N = 8: four tiles, each load waits for the previous one
     * (the feed), each stream for its load: period R = 4. Tile t streams
     * at 4 + 4t for one cycle; outputs 8 + 4t .. 11 + 4t; total 24
     * = 2R + C - 1 + M + 3R. Weight-load bound. */
    g.cases.push_back(hand_case("M = 1", 1, 8, 8,
                                {tt(0, 4, 4, 5, 8, 11), tt(4, 8, 8, 9, 12, 15),
                                 tt(8, 12, 12, 13, 16, 19), tt(12, 16, 16, 17, 20, 23)},
                                24));
    groups.push_back(g);

    /* M < R, double-buffered, on 8x8 (drain 14): M = 3, K = 16: tile 1
     * loads [8,16) behind tile 0's stream [8,11) and then waits for its
     * weights: streams [16,19); outputs 24 .. 33; total 34 = 2R + C - 1 +
     * M + R. */
    Group h;
    h.name = "by hand";
    h.rows = h.cols = 8;
    h.db = true;
    h.cases.push_back(hand_case("M < R, weight-load bound", 3, 16, 8,
                                {tt(0, 8, 8, 11, 16, 25), tt(8, 16, 16, 19, 24, 33)}, 34));
    groups.push_back(h);

    /* Without double buffering (4x4, M = 3, K = 8): tile 1 loads once
     * the array has drained, in tile 0's last-output cycle 13: load
     * [13,17), stream [17,20), outputs 21 .. 26, total 27. */
    Group s;
    s.name = "by hand";
    s.rows = s.cols = 4;
    s.db = false;
    s.cases.push_back(hand_case("single-buffered, drain then load", 3, 8, 4,
                                {tt(0, 4, 4, 7, 8, 13), tt(13, 17, 17, 20, 21, 26)}, 27));
    s.cases.push_back(hand_case("single-buffered, one tile", 5, 3, 2, {tt(0, 4, 4, 9, 8, 15)},
                                16));
    groups.push_back(s);
}

void add_limit_cases(std::vector<Group> &groups)
{
    /* The closed form's schedule is the earliest the PEs allow: one cycle
     * earlier must raise a hazard. 4x4 double-buffered, M = 6 > R, K = 12
     * (three k-tiles): load 0, 4, 10; stream 4, 10, 16 (mxu_tile). */
    Group g;
    g.name = "limits";
    g.rows = g.cols = 4;
    g.db = true;
    g.cases.push_back(scheduled("closed-form schedule given", Expect::clean, 6, 12, 4,
                                {0, 4, 10}, {4, 10, 16}));
    g.cases.push_back(scheduled("load into the shadow a cycle early", Expect::hazard, 6, 12, 4,
                                {0, 4, 9}, {4, 10, 16}));
    /* M = 2 < R: stream 4, 8; stream tile 1 before its last weight row. */
    g.cases.push_back(scheduled("stream a cycle before the weights", Expect::hazard, 2, 8, 4,
                                {0, 4}, {4, 7}));
    groups.push_back(g);

    /* Single-buffered: the model drains before loading (tile 1 at 13);
     * the PEs alone would let the load chase tile 0's last row from
     * stream_end - 1 = 6 (stream at 6 + R = 10), and not a cycle sooner. */
    Group s;
    s.name = "limits";
    s.rows = s.cols = 4;
    s.db = false;
    s.cases.push_back(scheduled("load chases the last row at stream_end - 1", Expect::clean, 3,
                                8, 4, {0, 6}, {4, 10}));
    s.cases.push_back(scheduled("load at stream_end - 2", Expect::hazard, 3, 8, 4, {0, 5},
                                {4, 9}));
    groups.push_back(s);
}

/* Output stationary, worked by hand and at the array's limits. */
void add_os_cases(std::vector<Group> &groups)
{
    Group g;
    g.name = "os hand-worked";
    g.rows = g.cols = 4;
    g.db = false;
    g.df = MXU_OUTPUT_STATIONARY;
    /* M = 6, K = 3, N = 5 on 4x4: m-tiles 2, n-tiles 2, four tiles, each
     * K + R + C - 2 = 9 cycles: stream [9t, 9t + 3), PE(0,0)'s result at
     * 9t + 3, the corner's at 9t + 3 + 6; total 4 x 9 + 1 = 37. */
    std::vector<TileTimes> four;
    for (uint64_t t = 0; t < 4; t++)
        four.push_back(tt(9 * t, 9 * t, 9 * t, 9 * t + 3, 9 * t + 3, 9 * t + 9));
    g.cases.push_back(hand_case("two by two tiles", 6, 3, 5, four, 37));
    /* K = 1: one element; M = N = 1 on 4x4: one tile, 1 + 6 = 7, total 8. */
    g.cases.push_back(hand_case("one MAC", 1, 1, 1, {tt(0, 0, 0, 1, 1, 7)}, 8));
    /* The PEs and the column ports allow the next tile max(K, R) cycles
     * after one starts (K = 2 < R = 4: the ports): 4 is clean, 3 puts two
     * results on a port. */
    g.cases.push_back(scheduled("next tile R cycles on", Expect::clean, 8, 2, 4, {}, {0, 4}));
    g.cases.push_back(scheduled("next tile R - 1 cycles on", Expect::hazard, 8, 2, 4, {},
                                {0, 3}));
    groups.push_back(g);
}

/* Random arrays 4x4 .. 32x32, both weight modes (os: single-buffered
 * only); shapes around the array size so partial tiles, a streamed length
 * below and above R all occur: drawn as (streamed, on the rows, on the
 * columns) and laid out as the dataflow's GEMM (mxu_fold_shape). */
int add_random(std::vector<Group> &groups, uint64_t seed, enum mxu_dataflow df, int n_groups,
               int per_group)
{
    /* Each dataflow its own shapes from the same seed (ws: the seed itself). */
    uint64_t s = seed ^ ((uint64_t)df * 0x9E3779B97F4A7C15ULL);
    if (!s)
        s = 1;
    int shapes = 0;
    for (int gi = 0; gi < n_groups; gi++) {
        Group g;
        g.name = df == MXU_WEIGHT_STATIONARY ? fmt("random %d", gi)
                                             : fmt("random %s %d", df_names[df], gi);
        g.df = df;
        g.seed = seed;
        /* Small arrays more often: the suite's time grows with R x C. */
        auto side = [&s]() -> unsigned {
            uint64_t b = xorshift(s) % 8;
            return b < 3 ? 4 + (unsigned)(xorshift(s) % 5)
                   : b < 6 ? 9 + (unsigned)(xorshift(s) % 8)
                           : 17 + (unsigned)(xorshift(s) % 16);
        };
        g.rows = side();
        g.cols = side();
        if (gi == 0)
            g.rows = g.cols = 32; /* the largest of the small arrays, always */
        g.db = xorshift(s) % 4 != 0 && df != MXU_OUTPUT_STATIONARY;
        for (int i = 0; i < per_group; i++) {
            Case c;
            uint64_t R = g.rows, C = g.cols;
            c.job.m = xorshift(s) % 5 == 0 ? 1 + xorshift(s) % 3 : 1 + xorshift(s) % (2 * R + 2);
            c.job.k = 1 + xorshift(s) % (3 * R);
            c.job.n = 1 + xorshift(s) % (3 * C);
            if (xorshift(s) % 4 == 0) /* exact multiples and one past */
                c.job.k = R * (1 + xorshift(s) % 2) + xorshift(s) % 2;
            if (xorshift(s) % 4 == 0)
                c.job.n = C * (1 + xorshift(s) % 2) + xorshift(s) % 2;
            c.job.data_seed = xorshift(s);
            uint64_t stream = c.job.m, on_rows = c.job.k, on_cols = c.job.n;
            if (df == MXU_OUTPUT_STATIONARY) {
                c.job.m = on_rows;
                c.job.k = stream;
            } else if (df == MXU_INPUT_STATIONARY) {
                c.job.m = on_cols;
                c.job.n = stream;
            }
            c.label = fmt(" (shape %d)", i);
            g.cases.push_back(c);
            shapes++;
        }
        groups.push_back(g);
    }
    return shapes;
}

void add_large(std::vector<Group> &groups)
{
    /* One 128x128 array (the TPU's), double-buffered: M = 100 < R (so
     * weight-load bound), K = 300 (three k-tiles, the last partial), N =
     * 200 (two n-tiles, the last partial): six tiles. */
    Group g;
    g.name = "128x128";
    g.rows = g.cols = 128;
    g.db = true;
    g.speed = true;
    Case c;
    c.job.m = 100;
    c.job.k = 300;
    c.job.n = 200;
    c.job.data_seed = 0xC0FFEE;
    g.cases.push_back(c);
    groups.push_back(g);
}

} // namespace

int sc_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *e = std::getenv("TPUSIM_SYSTEMC_SEED");
    uint64_t seed = e && *e ? std::strtoull(e, nullptr, 0) : 0x5EED5C1A7011ULL;
    if (!seed)
        seed = 1;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    if (const char *j = std::getenv("TPUSIM_SYSTEMC_JOBS"))
        jobs = std::atol(j);
    if (jobs < 1)
        jobs = 1;

    std::vector<Group> groups;
    add_large(groups); /* the longest first */
    add_hand_cases(groups);
    add_limit_cases(groups);
    int shapes = add_random(groups, seed, MXU_WEIGHT_STATIONARY, 64, 10);
    int os_shapes = add_random(groups, seed, MXU_OUTPUT_STATIONARY, 24, 10);
    int is_shapes = add_random(groups, seed, MXU_INPUT_STATIONARY, 16, 10);
    add_os_cases(groups);
    Group tlm;
    tlm.name = "tlm";
    tlm.tlm = true;
    groups.push_back(tlm);

    int passed = 0, failed = 0;
    struct Child {
        pid_t pid;
        int fd;
        size_t group;
        std::string text; /* what it wrote so far */
    };
    std::vector<Child> running;
    size_t next = 0;
    /* A child's pipe is at its end: tally what it said. */
    auto reap = [&](const Child &ch) {
        close(ch.fd);
        int status = 0;
        waitpid(ch.pid, &status, 0);
        bool counted = false;
        size_t pos = 0;
        const std::string &text = ch.text;
        while (pos < text.size()) {
            size_t eol = text.find('\n', pos);
            if (eol == std::string::npos)
                eol = text.size();
            std::string line = text.substr(pos, eol - pos);
            pos = eol + 1;
            if (line.size() < 2)
                continue;
            if (line[0] == 'F')
                std::printf("FAIL: %s\n", line.c_str() + 2);
            else if (line[0] == 'I')
                std::printf("systemc: %s\n", line.c_str() + 2);
            else if (line[0] == 'C') {
                int p = 0, f = 0;
                if (std::sscanf(line.c_str() + 2, "%d %d", &p, &f) == 2) {
                    passed += p;
                    failed += f;
                    counted = true;
                }
            }
        }
        if (!counted || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            const Group &g = groups[ch.group];
            std::printf("FAIL: %s (%ux%u): the child process died (status %#x)%s\n",
                        g.name.c_str(), g.rows, g.cols, status,
                        g.seed ? fmt(" [seed %#llx]", (unsigned long long)g.seed).c_str() : "");
            /* Uncounted: every case of the group is lost. Counted: its cases
             * ran, but a child that then dies failed all the same (a crash in
             * teardown, a kill): one more failure, so the FAIL line above
             * never goes with a green total. */
            if (!counted)
                failed += g.tlm ? 1 : (int)g.cases.size();
            else
                failed += 1;
        }
        std::fflush(stdout);
    };
    std::fflush(stdout);
    while (next < groups.size() || !running.empty()) {
        if (next < groups.size() && (long)running.size() < jobs) {
            int fds[2];
            if (pipe(fds) != 0) {
                std::perror("pipe");
                return 2;
            }
            pid_t pid = fork();
            if (pid < 0) {
                std::perror("fork");
                return 2;
            }
            if (pid == 0) {
                close(fds[0]);
                for (const Child &ch : running)
                    close(ch.fd);
                run_group(groups[next], fds[1]);
                close(fds[1]);
                /* SystemC's kernel objects live until exit; skip the
                 * destructors (and the leak checker) in the child. */
                _exit(0);
            }
            close(fds[1]);
            running.push_back(Child{pid, fds[0], next, std::string()});
            next++;
            continue;
        }
        /* Wait for any child to say something; reap those at their end. */
        std::vector<struct pollfd> pfds;
        for (const Child &ch : running)
            pfds.push_back(pollfd{ch.fd, POLLIN, 0});
        if (poll(pfds.data(), pfds.size(), -1) < 0)
            continue; /* EINTR */
        for (size_t i = pfds.size(); i-- > 0;) {
            if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(running[i].fd, buf, sizeof buf);
            if (n > 0) {
                running[i].text.append(buf, (size_t)n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            reap(running[i]);
            running.erase(running.begin() + (long)i);
        }
    }
    std::printf("systemc: %d random shapes on arrays 4x4..32x32 (seed %#llx), one 128x128; "
                "%d output stationary, %d input stationary\n",
                shapes, (unsigned long long)seed, os_shapes, is_shapes);
    std::printf("systemc: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
