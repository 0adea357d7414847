/*
 * systolic_common.h — what the PE-level reference models (systolic.cpp:
 * weight and input stationary; systolic_os.cpp: output stationary) share:
 * clocked registers, the hazard log, the cycle count, the operands a job
 * draws from its seed. Internal to tests/systemc.
 */
#ifndef TPUSIM_SYSTOLIC_COMMON_H
#define TPUSIM_SYSTOLIC_COMMON_H

#include <chrono>
#include <cstdint>
#include <string>
#include <systemc>

#include "systolic.h"

namespace systolic {

using namespace sc_core;

template <class T> class reg_in_if : public virtual sc_interface {
public:
    virtual const T &read() const = 0;
};

/* A clocked register as a primitive channel: sc_signal's two-phase
 * semantics without its value-changed event, which nothing here waits on
 * (every process is clocked). */
template <class T> class clocked_reg : public reg_in_if<T>, public sc_prim_channel {
public:
    explicit clocked_reg(const char *name) : sc_prim_channel(name) {}
    const T &read() const override { return cur_; }
    void write(const T &v)
    {
        next_ = v;
        request_update();
    }

private:
    void update() override { cur_ = next_; }
    T cur_{}, next_{};
};

struct Hazards {
    uint64_t count = 0;
    std::string first;
};

inline uint64_t cycle_now()
{
    /* The clock's period is 1 ns and its first rising edge at 0. */
    return sc_time_stamp().value() / sc_time(1, SC_NS).value();
}

/* Job j's operands, A (M x K) and W (K x N), row-major, drawn from its
 * data_seed: int8 and bf16-rounded values in [-1, 1); zeroed outputs. */
inline void fill_operands(const Job &j, Result &r)
{
    uint64_t s = j.data_seed ? j.data_seed : 1;
    auto next = [&s]() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    };
    auto fill = [&](std::vector<int8_t> &q, std::vector<float> &f, uint64_t count) {
        q.resize(count);
        f.resize(count);
        for (uint64_t i = 0; i < count; i++) {
            q[i] = (int8_t)(next() & 0xff);
            f[i] = round_bf16((float)((double)(next() >> 11) / 9007199254740992.0 * 2 - 1));
        }
    };
    fill(r.a_q, r.a_f, j.m * j.k);
    fill(r.w_q, r.w_f, j.k * j.n);
    r.out_q.assign(j.m * j.n, 0);
    r.out_f.assign(j.m * j.n, 0.0f);
}

/* Runs the jobs of an array elaborated since `t0` to their end (the array
 * stops the kernel after its last job) and fills `stats`. */
inline void run_elaborated(bool any_jobs, std::chrono::steady_clock::time_point t0, Stats *stats)
{
    using clock = std::chrono::steady_clock;
    /* sc_stop() at the end is the plan, not news. */
    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);
    auto t1 = clock::now();
    if (any_jobs)
        sc_start();
    auto t2 = clock::now();
    if (stats) {
        stats->elaborate_seconds = std::chrono::duration<double>(t1 - t0).count();
        stats->run_seconds = std::chrono::duration<double>(t2 - t1).count();
        stats->cycles = cycle_now();
    }
}

} // namespace systolic

#endif /* TPUSIM_SYSTOLIC_COMMON_H */
