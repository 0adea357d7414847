/*
 * tpusim_tlm.h — tpusim's accelerator as a TLM-2.0 target, so a chip model
 * can sit inside an existing SystemC virtual platform. C++ (SystemC 2.3);
 * the library underneath stays C.
 *
 * An initiator writes a `tpusim_tlm::command` (the generic payload's data
 * pointer, data length sizeof(command), TLM_WRITE_COMMAND; the address is
 * ignored) to `socket` with b_transport. The target answers at once with the
 * command's time added to the annotated delay: the fast model's cycles /
 * the chip's clock, as an sc_time rounded to the kernel's time resolution
 * (loosely timed: the initiator waits, or keeps a quantum). Commands:
 *  - GEMM: (M x K) x (K x N) in `dtype` on one core's matrix units
 *    (the chip's matrix_unit: mxu_gemm for systolic arrays).
 *  - PLAN: a whole finalized graph by handle (simulate(): every op,
 *    fused, with memory and vector work), one inference on one core.
 * The target fills `cycles`, `status` (a tpusim_status) and `message`. A bad
 * command is TLM_GENERIC_ERROR_RESPONSE with status set and no delay; a
 * wrong length or a read is TLM_COMMAND_ERROR_RESPONSE. The target does not
 * model contention: one command at a time, as the initiator issues them.
 */
#ifndef TPUSIM_TLM_H
#define TPUSIM_TLM_H

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "chip.h"
#include "stack.h"
#include "tpusim.h"

namespace tpusim_tlm {

enum command_kind : uint32_t {
    CMD_GEMM = 1,
    CMD_PLAN = 2,
};

struct command {
    uint32_t kind = CMD_GEMM;
    tpusim_dtype dtype = TPUSIM_DT_UNDEFINED;  /* UNDEFINED: the chip's default */
    uint64_t m = 0, k = 0, n = 0;             /* GEMM */
    const tpusim_graph *plan = nullptr;       /* PLAN: finalized; not owned */
    /* Filled by the target. */
    uint64_t cycles = 0;
    int status = TPUSIM_OK;
    char message[160] = {0};
};

class accelerator : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<accelerator> socket;

    /* The chip and the stack are copied; they must be loaded (chip_load,
     * stack_resolve: the stack the chip runs its plans under). */
    accelerator(sc_core::sc_module_name name, const struct chip &chip,
                const struct stack &stack);

    const struct chip &chip() const { return chip_; }
    const struct stack &stack() const { return stack_; }
    /* cycles / clock as an sc_time (rounded to the time resolution). */
    sc_core::sc_time cycles_to_time(uint64_t cycles) const;
    /* What b_transport computes, without the transport: fills cycles,
     * status and message; returns status. */
    int run(command &cmd) const;

private:
    struct chip chip_;
    struct stack stack_;
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
};

} // namespace tpusim_tlm

#endif /* TPUSIM_TLM_H */
