/*
 * tlm_check.cpp — the TLM-2.0 wrapper (sim/systemc/tpusim_tlm.h) on every
 * chip under models/: the delay it annotates equals the fast model's cycles
 * / the chip's clock, for GEMMs and a whole plan; bad commands are refused
 * without a delay.
 */
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "crosscheck.h"
#include "mxu.h"
#include "tpusim_tlm.h"

extern "C" {
#include "engine.h"
#include "matrix_unit.h"
}

using namespace sc_core;

namespace {

struct Initiator : sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket;
    explicit Initiator(sc_module_name nm) : sc_module(nm), socket("socket") {}
};

struct Checker {
    int *passed, *failed;
    std::string *out;
    void check(bool ok, const char *f, ...)
    {
        if (ok) {
            (*passed)++;
            return;
        }
        (*failed)++;
        char buf[512];
        va_list ap;
        va_start(ap, f);
        std::vsnprintf(buf, sizeof buf, f, ap);
        va_end(ap);
        *out += std::string("F tlm: ") + buf + "\n";
    }
};

/* One b_transport of `cmd` starting from `delay`; the response status. */
tlm::tlm_response_status send(Initiator &ini, tpusim_tlm::command &cmd, sc_time &delay,
                              tlm::tlm_command tc = tlm::TLM_WRITE_COMMAND,
                              unsigned len = sizeof(tpusim_tlm::command))
{
    tlm::tlm_generic_payload p;
    p.set_command(tc);
    p.set_address(0);
    p.set_data_ptr(reinterpret_cast<unsigned char *>(&cmd));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_byte_enable_ptr(nullptr);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ini.socket->b_transport(p, delay);
    return p.get_response_status();
}

} // namespace

void tlm_check(int *passed, int *failed, std::string *out)
{
    Checker ck{passed, failed, out};
    const char *dir = std::getenv("TPUSIM_MODELS_DIR");
    if (!dir || !*dir)
        dir = "models";
    const char *names[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "gpu_v100"};
    std::vector<std::unique_ptr<Initiator>> inis;
    std::vector<std::unique_ptr<tpusim_tlm::accelerator>> accs;
    for (const char *name : names) {
        struct chip c;
        struct stack st;
        char err[1024];
        if (chip_load(dir, name, nullptr, 0, &c, err, sizeof err) != 0 ||
            stack_resolve(dir, &c, nullptr, nullptr, 0, &st, err, sizeof err) != 0) {
            ck.check(false, "%s: %s", name, err);
            continue;
        }
        accs.emplace_back(new tpusim_tlm::accelerator(name, c, st));
        inis.emplace_back(new Initiator((std::string("cpu_") + name).c_str()));
        inis.back()->socket.bind(accs.back()->socket);
    }
    sc_start(SC_ZERO_TIME); /* elaboration: the sockets are bound */

    tpusim_graph *g = nullptr;
    if (tpusim_graph_new(&g) != 0 || tpusim_builtin_count() == 0 ||
        tpusim_graph_build_builtin(g, tpusim_builtin_name(0, nullptr)) != 0)
        ck.check(false, "building the built-in model %s", tpusim_builtin_name(0, nullptr));

    const uint64_t gemms[][3] = {{128, 128, 128}, {1, 1024, 1024}, {4096, 1024, 1024},
                                 {7, 300, 50}, {256, 129, 257}};
    for (size_t i = 0; i < accs.size(); i++) {
        tpusim_tlm::accelerator &acc = *accs[i];
        Initiator &ini = *inis[i];
        const struct chip &c = acc.chip();
        const tpusim_dtype dt = chip_default_dtype(&c);
        for (const auto &s : gemms) {
            /* The fast model, asked directly. */
            struct mxu_timing t;
            matrix_unit_of(&c)->gemm(&c, dt, 1, s[0], s[1], s[2], &t);
            if (c.mxu_kind == MATRIX_SYSTOLIC) {
                /* The array's own closed form: the MXUs share the n-tiles, or,
                 * split into g row groups, each group streams M/g rows; the
                 * matrix unit must pick the fastest of these. */
                struct mxu_params p = mxu_params_of(&c);
                uint64_t mxus = (uint64_t)c.mxu_per_core, best = UINT64_MAX;
                for (uint64_t g = 1; g <= mxus && g <= s[0]; g++) {
                    if (mxus % g)
                        continue;
                    struct mxu_timing d;
                    mxu_gemm(&p, mxus / g, (uint64_t)mxu_passes_for(&c, dt), (s[0] + g - 1) / g,
                             s[1], s[2], &d);
                    best = d.total_cycles < best ? d.total_cycles : best;
                }
                ck.check(best == t.total_cycles, "%s: matrix unit %llu != fastest mxu_gemm %llu",
                         c.name, (unsigned long long)t.total_cycles, (unsigned long long)best);
            }
            tpusim_tlm::command cmd;
            cmd.kind = tpusim_tlm::CMD_GEMM;
            cmd.m = s[0];
            cmd.k = s[1];
            cmd.n = s[2];
            const sc_time start(5, SC_NS); /* annotation adds to what is there */
            sc_time delay = start;
            tlm::tlm_response_status st = send(ini, cmd, delay);
            const double want_s = (double)t.total_cycles / c.clock_hz;
            const double got_s = (delay - start).to_seconds();
            ck.check(st == tlm::TLM_OK_RESPONSE && cmd.status == 0 &&
                         cmd.cycles == t.total_cycles &&
                         delay - start == sc_time(want_s, SC_SEC) &&
                         std::fabs(got_s - want_s) <= 0.5 * sc_get_time_resolution().to_seconds(),
                     "%s GEMM %llux%llux%llu: status %d cycles %llu (fast %llu), delay %s, "
                     "want %.12g s",
                     c.name, (unsigned long long)s[0], (unsigned long long)s[1],
                     (unsigned long long)s[2], (int)st, (unsigned long long)cmd.cycles,
                     (unsigned long long)t.total_cycles, (delay - start).to_string().c_str(),
                     want_s);
        }
        if (g) {
            struct sim_options o = {};
            o.cores = 1;
            o.stack = &acc.stack();
            struct sim_result r = {};
            char err[256];
            int rc = simulate(g, &c, &o, &r, err, sizeof err);
            uint64_t want = r.sum.cycles;
            sim_result_free(&r);
            tpusim_tlm::command cmd;
            cmd.kind = tpusim_tlm::CMD_PLAN;
            cmd.plan = g;
            sc_time delay = SC_ZERO_TIME;
            tlm::tlm_response_status st = send(ini, cmd, delay);
            ck.check(rc == 0 && st == tlm::TLM_OK_RESPONSE && cmd.cycles == want && want > 0 &&
                         delay == acc.cycles_to_time(want),
                     "%s PLAN: simulate rc %d, status %d, cycles %llu (want %llu), delay %s",
                     c.name, rc, (int)st, (unsigned long long)cmd.cycles,
                     (unsigned long long)want, delay.to_string().c_str());
        }
        /* Refusals: no delay. */
        tpusim_tlm::command bad;
        bad.m = 0;
        bad.k = bad.n = 8;
        sc_time delay = SC_ZERO_TIME;
        tlm::tlm_response_status st = send(ini, bad, delay);
        ck.check(st == tlm::TLM_GENERIC_ERROR_RESPONSE && bad.status == TPUSIM_ERR_ARG &&
                     delay == SC_ZERO_TIME,
                 "%s: a zero-sized GEMM was not refused", c.name);
        tpusim_tlm::command rd;
        rd.m = rd.k = rd.n = 8;
        st = send(ini, rd, delay, tlm::TLM_READ_COMMAND);
        ck.check(st == tlm::TLM_COMMAND_ERROR_RESPONSE && delay == SC_ZERO_TIME,
                 "%s: a read was not refused", c.name);
        st = send(ini, rd, delay, tlm::TLM_WRITE_COMMAND, 8);
        ck.check(st == tlm::TLM_COMMAND_ERROR_RESPONSE && delay == SC_ZERO_TIME,
                 "%s: a short payload was not refused", c.name);
        if (c.mxu_kind == MATRIX_SYSTOLIC && !c.mxu_bf16) {
            tpusim_tlm::command fp;
            fp.m = fp.k = fp.n = 8;
            fp.dtype = TPUSIM_DT_FLOAT32;
            st = send(ini, fp, delay);
            ck.check(st == tlm::TLM_GENERIC_ERROR_RESPONSE &&
                         fp.status == TPUSIM_ERR_UNSUPPORTED && delay == SC_ZERO_TIME,
                     "%s: fp32 on an int8-only array was not refused", c.name);
        }
    }
    tpusim_graph_close(g);
}
