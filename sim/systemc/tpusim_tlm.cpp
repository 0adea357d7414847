/*
 * tpusim_tlm.cpp — the TLM-2.0 target of tpusim_tlm.h: decodes a command,
 * asks the fast model (matrix_unit for a GEMM, simulate() for a plan) and
 * annotates the delay.
 */
#include "tpusim_tlm.h"

#include <cstdio>

extern "C" {
#include "engine.h"
#include "matrix_unit.h"
}

namespace tpusim_tlm {

using namespace sc_core;

accelerator::accelerator(sc_module_name name, const struct chip &chip, const struct stack &stack)
    : sc_module(name), socket("socket"), chip_(chip), stack_(stack)
{
    socket.register_b_transport(this, &accelerator::b_transport);
}

sc_time accelerator::cycles_to_time(uint64_t cycles) const
{
    return sc_time((double)cycles / chip_.clock_hz, SC_SEC);
}

int accelerator::run(command &cmd) const
{
    cmd.cycles = 0;
    cmd.status = TPUSIM_OK;
    cmd.message[0] = '\0';
    tpusim_dtype dtype =
        cmd.dtype == TPUSIM_DT_UNDEFINED ? chip_default_dtype(&chip_) : cmd.dtype;
    if (cmd.kind == CMD_GEMM) {
        const struct matrix_unit *mu = matrix_unit_of(&chip_);
        if (cmd.m == 0 || cmd.k == 0 || cmd.n == 0) {
            cmd.status = TPUSIM_ERR_ARG;
            std::snprintf(cmd.message, sizeof cmd.message, "GEMM with a zero dimension");
        } else if (!mu->supports(&chip_, dtype)) {
            cmd.status = TPUSIM_ERR_UNSUPPORTED;
            std::snprintf(cmd.message, sizeof cmd.message, "%s: no %s on the matrix unit",
                          chip_.name, tpusim_dtype_name(dtype));
        } else {
            struct mxu_timing t;
            mu->gemm(&chip_, dtype, 1, cmd.m, cmd.k, cmd.n, &t);
            cmd.cycles = t.total_cycles;
        }
    } else if (cmd.kind == CMD_PLAN) {
        if (!cmd.plan) {
            cmd.status = TPUSIM_ERR_ARG;
            std::snprintf(cmd.message, sizeof cmd.message, "PLAN without a graph");
        } else {
            struct sim_options o = {};
            o.dtype = cmd.dtype;
            o.cores = 1;
            o.stack = &stack_;
            struct sim_result r = {};
            cmd.status = simulate(cmd.plan, &chip_, &o, &r, cmd.message, sizeof cmd.message);
            if (cmd.status == TPUSIM_OK)
                cmd.cycles = r.sum.cycles;
            sim_result_free(&r);
        }
    } else {
        cmd.status = TPUSIM_ERR_ARG;
        std::snprintf(cmd.message, sizeof cmd.message, "unknown command kind %u", cmd.kind);
    }
    return cmd.status;
}

void accelerator::b_transport(tlm::tlm_generic_payload &trans, sc_time &delay)
{
    if (trans.get_command() != tlm::TLM_WRITE_COMMAND ||
        trans.get_data_length() != sizeof(command) || trans.get_data_ptr() == nullptr ||
        trans.get_byte_enable_ptr() != nullptr) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    command &cmd = *reinterpret_cast<command *>(trans.get_data_ptr());
    if (run(cmd) != TPUSIM_OK) {
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    delay += cycles_to_time(cmd.cycles);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace tpusim_tlm
