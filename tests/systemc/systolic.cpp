/*
 * systolic.cpp — the PE-level reference model of systolic.h: PE modules,
 * the edge sequencer that feeds weights and activations, the accumulators
 * under the bottom row.
 *
 * Clocking. One sc_clock; every process runs on its rising edge. The edge
 * that starts cycle P reads the registers as they were in cycle P-1 and
 * writes their values for cycle P (clocked_reg below: a write is visible
 * after the update phase). A PE therefore "computes in cycle X" on the
 * registers of cycle X and its results sit in its own registers in cycle
 * X+1. Cycles are counted from each job's first weight row.
 *
 * Where each rule of mxu.h comes from, in this array:
 *  - Row i of tile t enters PE(0,0) in cycle ss+i; element r reaches
 *    PE(r,c) in cycle ss+i+r+c; the column's sum is in PE(R-1,c)'s output
 *    register in cycle ss+i+c+R. So first output ss+R, last se+R+C-2.
 *  - The weight for row d of column c is fed in cycle ls+c+(R-1-d) and
 *    reaches row d at the edge ending cycle ls+c+R-1: the column is complete
 *    from cycle ls+c+R, and PE(r,c) first sees tile t+1 in cycle
 *    ss(t+1)+r+c >= ls+c+R exactly when ss(t+1) >= ls + R = load_end.
 *  - The load wave reaches PE(r,c)'s shadow register at the edge ending
 *    cycle ls(t+1)+c+r; tile t's swap reads it in cycle ss(t)+r+c; so the
 *    shadow is safe exactly when ls(t+1) >= ss(t): load_start(t+1) =
 *    max(load_end(t), stream_start(t)). One cycle earlier is a hazard.
 *  - Without double buffering the load wave passes through the active
 *    registers; the sequencer starts it when the last row of the previous
 *    tile has left the corner PE (cycle se+R+C-3), i.e. in cycle
 *    se+R+C-2 = last_output: load_start(t+1) = stream_end(t) + R + C - 2.
 *    (The PEs alone would allow stream_end(t) - 1: the wave can chase the
 *    last row diagonally. docs/systemc.md says why the model drains.)
 */
#include "systolic.h"
#include "systolic_common.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <systemc>

namespace systolic {

using namespace sc_core;

namespace {

/* What the registers hold. `tile` is a tile number unique over all jobs
 * run on the array. */
struct Act {
    bool valid = false, last = false; /* last: the tile's last row */
    uint32_t tile = 0, row = 0;       /* row: i, 0 .. M-1 */
    int32_t q = 0;
    float f = 0;
};

struct Psum {
    bool valid = false;
    uint32_t tile = 0, row = 0;
    int32_t q = 0;
    float f = 0;
};

struct Wgt {
    bool valid = false;
    uint32_t tile = 0, dest = 0; /* dest: the array row it belongs to */
    int32_t q = 0;
    float f = 0;
};

/* One processing element. */
class PE : public sc_module {
public:
    sc_in<bool> clk;
    sc_port<reg_in_if<Act>> a_in;  /* left neighbour's a_reg, or the row's port */
    sc_port<reg_in_if<Psum>> p_in; /* upper neighbour's p_reg (row 0: zero) */
    sc_port<reg_in_if<Wgt>> w_in;  /* upper neighbour's w_reg, or the column's port */
    clocked_reg<Act> a_reg;        /* the activation, passed right */
    clocked_reg<Psum> p_reg;       /* the partial sum, passed down */
    clocked_reg<Wgt> w_reg;        /* the shift chain: shadow (double-buffered) or active */

    SC_HAS_PROCESS(PE);
    PE(sc_module_name nm, unsigned row, bool double_buffered, Hazards *hz)
        : sc_module(nm), a_reg("a_reg"), p_reg("p_reg"), w_reg("w_reg"), row_(row),
          db_(double_buffered), hz_(hz)
    {
        SC_METHOD(tick);
        sensitive << clk.pos();
        dont_initialize();
    }

private:
    const unsigned row_;
    const bool db_;
    Hazards *hz_;
    Wgt active_, shadow_;
    bool pending_ = false; /* shadow holds this PE's weight of a tile not yet swapped in */
    bool live_ = false;    /* without double buffering: active is in use by its tile */

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
        const Act a = a_in->read();
        const Psum p = p_in->read();
        const Wgt w = w_in->read();
        Psum out;
        bool swapped = false, retired = false;
        if (a.valid) {
            const Wgt *use = &active_;
            bool own = active_.valid && active_.dest == row_ && active_.tile == a.tile &&
                       (db_ || live_);
            if (!own && db_) {
                /* The tile's first row carries the switch: the MAC uses
                 * the shadow register and it becomes the active one. */
                if (!(pending_ && shadow_.tile == a.tile))
                    hazard("activation arrived before its tile's weights");
                use = &shadow_;
                swapped = true;
            } else if (!own) {
                hazard("activation met another tile's weights");
            }
            if (row_ > 0 && !(p.valid && p.tile == a.tile && p.row == a.row))
                hazard("partial sum out of step with its activation");
            out.valid = true;
            out.tile = a.tile;
            out.row = a.row;
            out.q = (row_ > 0 ? p.q : 0) + a.q * use->q;
            out.f = (row_ > 0 ? p.f : 0.0f) + a.f * use->f;
            retired = !db_ && a.last && own;
        } else if (row_ > 0 && p.valid) {
            hazard("partial sum without its activation");
        }

        if (swapped) {
            active_ = shadow_;
            pending_ = false;
        }
        Wgt &chain = db_ ? shadow_ : active_;
        if (w.valid && w.dest >= row_) {
            /* The load wave reaches this PE. Overwriting weights that are
             * still to be used (a swap or a retirement on this very edge
             * reads the old value first) is the hazard the schedule must
             * avoid. */
            if (db_ ? pending_ : (live_ && !retired))
                hazard("weights shifted over weights not yet used");
            chain = w;
            (db_ ? pending_ : live_) = w.dest == row_;
        } else {
            if (chain.valid && chain.dest > row_)
                chain.valid = false; /* a passing weight moved on below */
            if (retired)
                live_ = false;
        }

        a_reg.write(a);
        p_reg.write(out);
        w_reg.write(chain);
    }
};

struct Feed {
    bool valid = false;
    uint32_t tile = 0;
    uint64_t index = 0; /* weight row j (for array row R-1-j) or activation row i */
};

/* The array, its edge sequencer and the accumulators. */
class Array : public sc_module {
public:
    SC_HAS_PROCESS(Array);
    Array(sc_module_name nm, unsigned rows, unsigned cols, bool db, const std::vector<Job> &jobs,
          std::vector<Result> &out)
        : sc_module(nm), clk_("clk", 1, SC_NS), act_port_("act_port", rows),
          w_port_("w_port", cols), zero_("zero"), R_(rows), C_(cols), db_(db), jobs_(jobs),
          out_(out), hist_(std::max(rows, cols) + 1)
    {
        pes_.init(rows * cols, [&](const char *pe_name, size_t i) {
            return new PE(pe_name, (unsigned)(i / cols), db, &hz_);
        });
        for (unsigned r = 0; r < rows; r++)
            for (unsigned c = 0; c < cols; c++) {
                PE &pe = pes_[r * cols + c];
                pe.clk(clk_);
                if (c == 0)
                    pe.a_in(act_port_[r]);
                else
                    pe.a_in(pes_[r * cols + c - 1].a_reg);
                if (r == 0) {
                    pe.p_in(zero_);
                    pe.w_in(w_port_[c]);
                } else {
                    pe.p_in(pes_[(r - 1) * cols + c].p_reg);
                    pe.w_in(pes_[(r - 1) * cols + c].w_reg);
                }
            }
        corner_in_ = cols == 1 ? static_cast<const reg_in_if<Act> *>(&act_port_[rows - 1])
                               : &pes_[(rows - 1) * cols + cols - 2].a_reg;
        w_hist_.resize(hist_);
        a_hist_.resize(hist_);
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
    sc_vector<clocked_reg<Act>> act_port_; /* row r's left edge */
    sc_vector<clocked_reg<Wgt>> w_port_;   /* column c's top edge */
    clocked_reg<Psum> zero_;               /* above row 0: never written */
    const reg_in_if<Act> *corner_in_;      /* what PE(R-1, C-1) multiplies */
    const unsigned R_, C_;
    const bool db_;
    const std::vector<Job> &jobs_;
    std::vector<Result> &out_;
    Hazards hz_;

    /* Skew: what was fed in each of the last hist_ cycles; column c's port
     * carries cycle P-c's weight row, row r's port cycle P-r's activation
     * row. */
    const unsigned hist_;
    std::vector<Feed> w_hist_, a_hist_;

    /* The job in flight. */
    size_t next_job_ = 0;
    bool active_ = false;
    uint64_t done_at_ = 0; /* absolute cycle the last job finished */
    uint32_t tile_base_ = 0;
    uint64_t base_ = 0; /* absolute cycle of the job's cycle 0 */
    uint64_t M_ = 0, K_ = 0, N_ = 0, KT_ = 0, T_ = 0, limit_ = 0;
    uint64_t loads_ = 0, load_row_ = 0, streams_ = 0, stream_row_ = 0;
    uint64_t outputs_ = 0;
    std::vector<bool> loaded_, streaming_, drained_;
    std::vector<uint8_t> busy_; /* per job cycle: 1 a row enters, 2 a weight row enters */
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
        KT_ = (K_ + R_ - 1) / R_;
        T_ = KT_ * ((N_ + C_ - 1) / C_);
        r.tiles.assign(T_, TileTimes());
        fill_operands(j, r);
        loads_ = streams_ = outputs_ = 0;
        load_row_ = R_;
        stream_row_ = M_;
        loaded_.assign(T_, false);
        streaming_.assign(T_, false);
        drained_.assign(T_, false);
        busy_.clear();
        hz_ = Hazards();
        /* A bound no schedule of this job should reach: a deadlock guard,
         * not a timing rule. */
        uint64_t given = 0;
        for (uint64_t v : j.load_at)
            given = std::max(given, v);
        for (uint64_t v : j.stream_at)
            given = std::max(given, v);
        limit_ = given + 2 * T_ * (M_ + 2 * R_ + C_ + 2) + 4 * (R_ + C_) + 64;
        base_ = cycle_now();
        active_ = true;
        started_ = std::chrono::steady_clock::now();
    }

    bool may_stream(uint64_t t, uint64_t x) const
    {
        if (!job().stream_at.empty())
            return t < job().stream_at.size() && x >= job().stream_at[t];
        /* All R weight rows are in (column 0 complete from now on) and the
         * previous tile's rows are in (we are not streaming). */
        return loaded_[t] && out_[next_job_].tiles[t].load_end <= x;
    }

    bool may_load(uint64_t t, uint64_t x) const
    {
        if (!job().load_at.empty())
            return t < job().load_at.size() && x >= job().load_at[t];
        if (t == 0)
            return true;
        /* Double-buffered: the previous tile's weights leave the shadow
         * registers from the cycle its first row enters (this cycle counts:
         * streams are decided first). Otherwise: the array has drained. */
        return db_ ? streaming_[t - 1] : drained_[t - 1];
    }

    void sequence()
    {
        const uint64_t P = cycle_now();
        Feed wf, af;
        if (!active_ && next_job_ < jobs_.size() && (next_job_ == 0 || done_at_ < P))
            start_job();
        if (active_) {
            const uint64_t x = P - base_;
            const Act &corner = corner_in_->read(); /* cycle P-1 */
            if (corner.valid && corner.last && corner.tile >= tile_base_)
                drained_[corner.tile - tile_base_] = true;
            Result &r = res();
            if (stream_row_ < M_ || (streams_ < T_ && may_stream(streams_, x))) {
                if (stream_row_ == M_) {
                    r.tiles[streams_].stream_start = x;
                    streaming_[streams_] = true;
                    stream_row_ = 0;
                    streams_++;
                }
                af = Feed{true, tile_base_ + (uint32_t)(streams_ - 1), stream_row_++};
                if (stream_row_ == M_)
                    r.tiles[streams_ - 1].stream_end = x + 1;
            }
            if (load_row_ < R_ || (loads_ < T_ && may_load(loads_, x))) {
                if (load_row_ == R_) {
                    r.tiles[loads_].load_start = x;
                    load_row_ = 0;
                    loads_++;
                }
                wf = Feed{true, tile_base_ + (uint32_t)(loads_ - 1), load_row_++};
                if (load_row_ == R_) {
                    r.tiles[loads_ - 1].load_end = x + 1;
                    loaded_[loads_ - 1] = true;
                }
            }
            busy_.push_back((uint8_t)((af.valid ? 1 : 0) | (wf.valid ? 2 : 0)));
        }
        w_hist_[P % hist_] = wf;
        a_hist_[P % hist_] = af;
        drive_ports(P);
    }

    void drive_ports(uint64_t P)
    {
        for (unsigned c = 0; c < C_; c++) {
            Wgt w;
            const Feed &h = w_hist_[(P - c) % hist_];
            if (P >= c && h.valid && h.tile >= tile_base_) {
                uint64_t t = h.tile - tile_base_, d = R_ - 1 - h.index;
                uint64_t k = (t % KT_) * R_ + d, n = (t / KT_) * C_ + c;
                w.valid = true;
                w.tile = h.tile;
                w.dest = (uint32_t)d;
                if (k < K_ && n < N_) { /* else a padding weight: zero */
                    w.q = res().w_q[k * N_ + n];
                    w.f = res().w_f[k * N_ + n];
                }
            }
            w_port_[c].write(w);
        }
        for (unsigned r = 0; r < R_; r++) {
            Act a;
            const Feed &h = a_hist_[(P - r) % hist_];
            if (P >= r && h.valid && h.tile >= tile_base_) {
                uint64_t t = h.tile - tile_base_, i = h.index, k = (t % KT_) * R_ + r;
                a.valid = true;
                a.last = i == M_ - 1;
                a.tile = h.tile;
                a.row = (uint32_t)i;
                if (k < K_) { /* else a padding row of A: zero */
                    a.q = res().a_q[i * K_ + k];
                    a.f = res().a_f[i * K_ + k];
                }
            }
            act_port_[r].write(a);
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
            const Psum &p = pes_[(R_ - 1) * C_ + c].p_reg.read();
            if (!p.valid || p.tile < tile_base_ || p.tile - tile_base_ >= T_)
                continue;
            uint64_t t = p.tile - tile_base_, n = (t / KT_) * C_ + c;
            TileTimes &tt = r.tiles[t];
            if (tt.first_output == 0 || x < tt.first_output) /* 0: none yet (outputs take >= R) */
                tt.first_output = x;
            tt.last_output = std::max(tt.last_output, x);
            if (n < N_) { /* else a padding column: computed, thrown away */
                r.out_q[p.row * N_ + n] += p.q;
                r.out_f[p.row * N_ + n] += p.f;
            }
            outputs_++;
        }
        if (outputs_ == T_ * M_ * C_)
            finish(x + 1, true);
        else if (P - base_ > limit_)
            finish(P - base_, false);
    }

    void finish(uint64_t total, bool ok)
    {
        Result &r = res();
        r.finished = ok;
        r.total_cycles = total;
        for (uint64_t x = 0; x < total && x < busy_.size(); x++) {
            if (busy_[x] & 1)
                r.stream_cycles++;
            else if (busy_[x] & 2)
                r.weight_load_cycles++;
            else
                r.fill_drain_cycles++;
        }
        if (total > busy_.size())
            r.fill_drain_cycles += total - busy_.size();
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

float round_bf16(float x)
{
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    if ((u & 0x7f800000u) != 0x7f800000u) /* finite: round to nearest even */
        u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

void run_jobs(unsigned rows, unsigned cols, bool double_buffered, const std::vector<Job> &jobs,
              std::vector<Result> &out, Stats *stats)
{
    auto t0 = std::chrono::steady_clock::now();
    Array *top = new Array("mxu", rows, cols, double_buffered, jobs, out);
    (void)top; /* owned by the kernel until the process ends */
    run_elaborated(!jobs.empty(), t0, stats);
}

} // namespace systolic
