/*
 * tlm_platform.cpp — a small SystemC virtual platform with tpusim's
 * accelerator on a TLM-2.0 socket (sim/systemc/tpusim_tlm.h): a CPU model
 * issues a few GEMMs and a whole model, waits out each annotated delay
 * (loosely timed), and prints the timeline.
 *
 *   make examples && build/examples/tlm_platform [chip] [models_dir]
 */
#include <cstdio>
#include <cstdlib>
#include <string>

#include <tlm_utils/simple_initiator_socket.h>

#include "tpusim_tlm.h"

using namespace sc_core;

namespace {

struct Cpu : sc_module {
    tlm_utils::simple_initiator_socket<Cpu> socket;
    const tpusim_graph *model = nullptr;
    std::string model_name;
    int errors = 0;

    SC_HAS_PROCESS(Cpu);
    explicit Cpu(sc_module_name nm) : sc_module(nm), socket("socket") { SC_THREAD(run); }

    void issue(tpusim_tlm::command &cmd, const std::string &what)
    {
        tlm::tlm_generic_payload p;
        sc_time delay = SC_ZERO_TIME;
        p.set_command(tlm::TLM_WRITE_COMMAND);
        p.set_data_ptr(reinterpret_cast<unsigned char *>(&cmd));
        p.set_data_length(sizeof cmd);
        p.set_streaming_width(sizeof cmd);
        std::printf("%12.3f us  cpu -> mxu  %s\n", sc_time_stamp().to_seconds() * 1e6,
                    what.c_str());
        socket->b_transport(p, delay);
        if (p.is_response_error()) {
            std::printf("%12.3f us  mxu -> cpu  error: %s\n", sc_time_stamp().to_seconds() * 1e6,
                        cmd.message);
            errors++;
            return;
        }
        wait(delay); /* the accelerator's time passes */
        std::printf("%12.3f us  mxu -> cpu  done: %llu cycles, %.3f us\n",
                    sc_time_stamp().to_seconds() * 1e6, (unsigned long long)cmd.cycles,
                    delay.to_seconds() * 1e6);
    }

    void gemm(uint64_t m, uint64_t k, uint64_t n, const char *why)
    {
        tpusim_tlm::command cmd;
        cmd.kind = tpusim_tlm::CMD_GEMM;
        cmd.m = m;
        cmd.k = k;
        cmd.n = n;
        char buf[128];
        std::snprintf(buf, sizeof buf, "GEMM %llux%llux%llu (%s)", (unsigned long long)m,
                      (unsigned long long)k, (unsigned long long)n, why);
        issue(cmd, buf);
    }

    void run()
    {
        gemm(128, 128, 128, "one tile");
        wait(1, SC_US); /* the CPU prepares the next job */
        gemm(1, 1024, 1024, "batch-1 fully connected: weight-load bound");
        gemm(4096, 1024, 1024, "large, compute bound");
        if (model) {
            wait(1, SC_US);
            tpusim_tlm::command cmd;
            cmd.kind = tpusim_tlm::CMD_PLAN;
            cmd.plan = model;
            issue(cmd, "whole model " + model_name);
        }
        std::printf("%12.3f us  cpu        finished\n", sc_time_stamp().to_seconds() * 1e6);
    }
};

} // namespace

int sc_main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "tpu_v3";
    const char *dir = argc > 2 ? argv[2] : "models";
    struct chip c;
    struct stack st;
    char err[1024];
    if (chip_load(dir, name, nullptr, 0, &c, err, sizeof err) != 0 ||
        stack_resolve(dir, &c, nullptr, nullptr, 0, &st, err, sizeof err) != 0) {
        std::fprintf(stderr, "tlm_platform: %s\n", err);
        return 1;
    }
    tpusim_graph *g = nullptr;
    std::string model_name = tpusim_builtin_count() ? tpusim_builtin_name(0, nullptr) : "";
    if (!model_name.empty() &&
        (tpusim_graph_new(&g) != 0 || tpusim_graph_build_builtin(g, model_name.c_str()) != 0)) {
        std::fprintf(stderr, "tlm_platform: built-in model %s: %s\n", model_name.c_str(),
                     g ? tpusim_graph_errmsg(g) : "out of memory");
        tpusim_graph_close(g);
        g = nullptr;
    }
    Cpu cpu("cpu");
    tpusim_tlm::accelerator mxu("mxu", c, st);
    cpu.socket.bind(mxu.socket);
    cpu.model = g;
    cpu.model_name = model_name;
    std::printf("tpusim TLM platform: %s at %.0f MHz, %d MXU(s) of %dx%d per core\n", c.name,
                c.clock_hz / 1e6, c.mxu_per_core, c.mxu_rows, c.mxu_cols);
    sc_start();
    tpusim_graph_close(g);
    return cpu.errors ? 1 : 0;
}
