/*
 * systolic_os.cpp — the PE-level reference model of an output-stationary
 * R x C array (systolic.h: run_jobs_os), to prove sim/mxu.c's closed form
 * for MXU_OUTPUT_STATIONARY cycle for cycle.
 *
 * PE(r, c) holds the accumulator of output (m0 + r, n0 + c) of tile t
 * (tiles: M and N cut to R x C, n-tiles outer). Row r's activations enter
 * from the left and column c's weights from the top, element k of both in
 * cycle ss + k (the feed), reaching PE(r, c) in cycle ss + k + r + c: the
 * activation moves right and the weight down one PE per cycle. The MAC of
 * the last element (k = K - 1) puts the result in the PE's output register
 * for the next cycle, ss + K + r + c, on its column's output port, and
 * clears the accumulator. So first output ss + K (PE(0,0)), last output
 * ss + K + R + C - 2 (the corner).
 *
 * Hazards each PE checks: an activation and a weight that are not the
 * same tile and element; an element out of order (the accumulator is
 * another tile's, or a step behind); and the collector checks that no
 * column port carries two results in one cycle. The PEs and the port allow
 * a tile to enter max(K, R) cycles after the previous one (its first
 * element meets each accumulator after the last; its results follow the
 * previous tile's down the port). The sequencer instead feeds tile t + 1
 * once the corner PE has done tile t's last MAC (stream_start(t + 1) =
 * last_output(t)), as SCALE-Sim's os runs folds one at a time; a job's own
 * schedule probes the limits.
 */
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <systemc>

#include "systolic.h"
#include "systolic_common.h"

namespace systolic {

using namespace sc_core;

namespace {

/* An operand on its way: element k of tile `tile` (unique over the jobs). */
struct Opnd {
    bool valid = false;
    uint32_t tile = 0;
    uint64_t k = 0;
    int32_t q = 0;
    float f = 0;
};

struct Out {
    bool valid = false;
    uint32_t tile = 0;
    int32_t q = 0;
    float f = 0;
};

class PE : public sc_module {
public:
    sc_in<bool> clk;
    sc_port<reg_in_if<Opnd>> a_in; /* left neighbour's a_reg, or the row's port */
    sc_port<reg_in_if<Opnd>> w_in; /* upper neighbour's w_reg, or the column's port */
    clocked_reg<Opnd> a_reg, w_reg;
    clocked_reg<Out> out_reg;      /* on the column's output port */

    SC_HAS_PROCESS(PE);
    PE(sc_module_name nm, uint64_t k, Hazards *hz)
        : sc_module(nm), a_reg("a_reg"), w_reg("w_reg"), out_reg("out_reg"), K_(k), hz_(hz)
    {
        SC_METHOD(tick);
        sensitive << clk.pos();
        dont_initialize();
    }
    void set_k(uint64_t k) { K_ = k; }

private:
    uint64_t K_;
    Hazards *hz_;
    bool busy_ = false; /* the accumulator holds a tile's partial sum */
    uint32_t tile_ = 0;
    uint64_t next_k_ = 0;
    int32_t acc_q_ = 0;
    float acc_f_ = 0;

    void hazard(const char *what)
    {
        if (hz_->count++ == 0) {
            char buf[96];
            std::snprintf(buf, sizeof buf, " (computing in cycle %llu)",
                          (unsigned long long)(cycle_now() - 1));
            hz_->first = std::string(name()) + ": " + what + buf;
        }
    }

    void tick()
    {
        const Opnd a = a_in->read(), w = w_in->read();
        Out out;
        if (a.valid != w.valid || (a.valid && (a.tile != w.tile || a.k != w.k)))
            hazard("activation and weight out of step");
        if (a.valid) {
            if (a.k == 0) {
                if (busy_)
                    hazard("a tile's first element met another tile's partial sum");
                busy_ = true;
                tile_ = a.tile;
                next_k_ = 0;
                acc_q_ = 0;
                acc_f_ = 0;
            }
            if (!busy_ || a.tile != tile_ || a.k != next_k_)
                hazard("an element out of order");
            acc_q_ += a.q * w.q;
            acc_f_ += a.f * w.f;
            next_k_ = a.k + 1;
            if (next_k_ == K_) {
                out = Out{true, a.tile, acc_q_, acc_f_};
                busy_ = false;
            }
        }
        a_reg.write(a);
        w_reg.write(w);
        out_reg.write(out);
    }
};

struct Feed {
    bool valid = false;
    uint32_t tile = 0;
    uint64_t k = 0;
};

class Array : public sc_module {
public:
    SC_HAS_PROCESS(Array);
    Array(sc_module_name nm, unsigned rows, unsigned cols, const std::vector<Job> &jobs,
          std::vector<Result> &out)
        : sc_module(nm), clk_("clk", 1, SC_NS), a_port_("a_port", rows), w_port_("w_port", cols),
          R_(rows), C_(cols), jobs_(jobs), out_(out), hist_(std::max(rows, cols) + 1)
    {
        pes_.init(rows * cols, [&](const char *pe_name, size_t) {
            return new PE(pe_name, 1, &hz_);
        });
        for (unsigned r = 0; r < rows; r++)
            for (unsigned c = 0; c < cols; c++) {
                PE &pe = pes_[r * cols + c];
                pe.clk(clk_);
                pe.a_in(c == 0 ? static_cast<reg_in_if<Opnd> &>(a_port_[r])
                               : pes_[r * cols + c - 1].a_reg);
                pe.w_in(r == 0 ? static_cast<reg_in_if<Opnd> &>(w_port_[c])
                               : pes_[(r - 1) * cols + c].w_reg);
            }
        corner_a_ = cols == 1 ? static_cast<const reg_in_if<Opnd> *>(&a_port_[rows - 1])
                              : &pes_[(rows - 1) * cols + cols - 2].a_reg;
        feed_hist_.resize(hist_);
        out_.assign(jobs_.size(), Result());
        SC_METHOD(sequence);
        sensitive << clk_.posedge_event();
        dont_initialize();
        SC_METHOD(collect);
        sensitive << clk_.posedge_event();
        dont_initialize();
    }

private:
    sc_clock clk_;
    sc_vector<PE> pes_{"pe"};
    sc_vector<clocked_reg<Opnd>> a_port_; /* row r's left edge */
    sc_vector<clocked_reg<Opnd>> w_port_; /* column c's top edge */
    const reg_in_if<Opnd> *corner_a_;     /* what PE(R-1, C-1) multiplies */
    const unsigned R_, C_;
    const std::vector<Job> &jobs_;
    std::vector<Result> &out_;
    Hazards hz_;
    /* The feed of the last hist_ cycles: row r's port carries cycle P-r's
     * element, column c's port cycle P-c's. */
    const unsigned hist_;
    std::vector<Feed> feed_hist_;

    size_t next_job_ = 0;
    bool active_ = false;
    uint64_t done_at_ = 0;
    uint32_t tile_base_ = 0;
    uint64_t base_ = 0;
    uint64_t M_ = 0, K_ = 0, N_ = 0, MT_ = 0, T_ = 0, limit_ = 0;
    uint64_t streams_ = 0, stream_k_ = 0, outputs_ = 0;
    std::vector<bool> drained_;
    std::vector<uint8_t> busy_; /* per job cycle: 1 an element enters */
    std::chrono::steady_clock::time_point started_;

    const Job &job() const { return jobs_[next_job_]; }
    Result &res() { return out_[next_job_]; }

    void start_job()
    {
        const Job &j = job();
        Result &r = res();
        M_ = j.m;
        K_ = j.k;
        N_ = j.n;
        MT_ = (M_ + R_ - 1) / R_;
        T_ = MT_ * ((N_ + C_ - 1) / C_);
        r.tiles.assign(T_, TileTimes());
        fill_operands(j, r);
        for (PE &pe : pes_)
            pe.set_k(K_);
        streams_ = outputs_ = 0;
        stream_k_ = K_;
        drained_.assign(T_, false);
        busy_.clear();
        hz_ = Hazards();
        uint64_t given = 0;
        for (uint64_t v : j.stream_at)
            given = std::max(given, v);
        /* A deadlock guard, not a timing rule. */
        limit_ = given + 2 * T_ * (K_ + R_ + C_ + 2) + 64;
        base_ = cycle_now();
        active_ = true;
        started_ = std::chrono::steady_clock::now();
    }

    bool may_stream(uint64_t t, uint64_t x) const
    {
        if (!job().stream_at.empty())
            return t < job().stream_at.size() && x >= job().stream_at[t];
        return t == 0 || drained_[t - 1];
    }

    void sequence()
    {
        const uint64_t P = cycle_now();
        Feed f;
        if (!active_ && next_job_ < jobs_.size() && (next_job_ == 0 || done_at_ < P))
            start_job();
        if (active_) {
            const uint64_t x = P - base_;
            const Opnd &corner = corner_a_->read(); /* cycle P-1 */
            if (corner.valid && corner.k == K_ - 1 && corner.tile >= tile_base_)
                drained_[corner.tile - tile_base_] = true;
            Result &r = res();
            if (stream_k_ < K_ || (streams_ < T_ && may_stream(streams_, x))) {
                if (stream_k_ == K_) {
                    TileTimes &tt = r.tiles[streams_];
                    tt.stream_start = tt.load_start = tt.load_end = x; /* nothing held */
                    stream_k_ = 0;
                    streams_++;
                }
                f = Feed{true, tile_base_ + (uint32_t)(streams_ - 1), stream_k_++};
                if (stream_k_ == K_)
                    r.tiles[streams_ - 1].stream_end = x + 1;
            }
            busy_.push_back(f.valid ? 1 : 0);
        }
        feed_hist_[P % hist_] = f;
        drive_ports(P);
    }

    /* Row r of tile t is output row m0 + r of A, column c column n0 + c
     * of W; past M or N the operands are zero (computed, thrown away). */
    void drive_ports(uint64_t P)
    {
        for (unsigned r = 0; r < R_; r++) {
            Opnd a;
            const Feed &h = feed_hist_[(P - r) % hist_];
            if (P >= r && h.valid && h.tile >= tile_base_) {
                uint64_t m = ((h.tile - tile_base_) % MT_) * R_ + r;
                a = Opnd{true, h.tile, h.k, 0, 0};
                if (m < M_) {
                    a.q = res().a_q[m * K_ + h.k];
                    a.f = res().a_f[m * K_ + h.k];
                }
            }
            a_port_[r].write(a);
        }
        for (unsigned c = 0; c < C_; c++) {
            Opnd w;
            const Feed &h = feed_hist_[(P - c) % hist_];
            if (P >= c && h.valid && h.tile >= tile_base_) {
                uint64_t n = ((h.tile - tile_base_) / MT_) * C_ + c;
                w = Opnd{true, h.tile, h.k, 0, 0};
                if (n < N_) {
                    w.q = res().w_q[h.k * N_ + n];
                    w.f = res().w_f[h.k * N_ + n];
                }
            }
            w_port_[c].write(w);
        }
    }

    void collect()
    {
        if (!active_)
            return;
        const uint64_t P = cycle_now();
        const uint64_t x = P - 1 - base_; /* the registers read are cycle P-1's */
        Result &r = res();
        for (unsigned c = 0; c < C_; c++) {
            unsigned on_port = 0;
            for (unsigned row = 0; row < R_; row++) {
                const Out &o = pes_[row * C_ + c].out_reg.read();
                if (!o.valid || o.tile < tile_base_ || o.tile - tile_base_ >= T_)
                    continue;
                if (++on_port == 2 && hz_.count++ == 0)
                    hz_.first = "two results on one column's output port";
                uint64_t t = o.tile - tile_base_;
                uint64_t m = (t % MT_) * R_ + row, n = (t / MT_) * C_ + c;
                TileTimes &tt = r.tiles[t];
                if (tt.first_output == 0 || x < tt.first_output) /* 0: none yet (K >= 1) */
                    tt.first_output = x;
                tt.last_output = std::max(tt.last_output, x);
                if (m < M_ && n < N_) {
                    r.out_q[m * N_ + n] += o.q;
                    r.out_f[m * N_ + n] += o.f;
                }
                outputs_++;
            }
        }
        if (outputs_ == T_ * R_ * C_)
            finish(x + 1, true);
        else if (P - base_ > limit_)
            finish(P - base_, false);
    }

    void finish(uint64_t total, bool ok)
    {
        Result &r = res();
        r.finished = ok;
        r.total_cycles = total;
        /* An element enters -> stream; every other cycle is fill/drain
         * (nothing is loaded). */
        for (uint64_t x = 0; x < total; x++) {
            if (x < busy_.size() && busy_[x])
                r.stream_cycles++;
            else
                r.fill_drain_cycles++;
        }
        r.hazards = hz_.count;
        r.first_hazard = hz_.first;
        r.sim_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        active_ = false;
        done_at_ = cycle_now();
        tile_base_ += (uint32_t)T_;
        next_job_++;
        if (!ok || next_job_ == jobs_.size())
            sc_stop();
    }
};

} // namespace

void run_jobs_os(unsigned rows, unsigned cols, const std::vector<Job> &jobs,
                 std::vector<Result> &out, Stats *stats)
{
    auto t0 = std::chrono::steady_clock::now();
    Array *top = new Array("os_array", rows, cols, jobs, out);
    (void)top; /* owned by the kernel until the process ends */
    run_elaborated(!jobs.empty(), t0, stats);
}

} // namespace systolic
