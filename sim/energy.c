/*
 * energy.c — energy per op and per part from the lowering's demands
 * (energy.h). Counts are never recomputed here: each is a field of the
 * op's demand, times the chip file's energy per event.
 */
#include "cycles.h"
#include "energy.h"
#include "engine.h"

const char *energy_part_name(enum energy_part p)
{
    switch (p) {
    case ENERGY_MXU: return "mxu";
    case ENERGY_VPU: return "vpu";
    case ENERGY_SRAM: return "sram";
    case ENERGY_HBM: return "hbm";
    case ENERGY_HOST_LINK: return "host_link";
    case ENERGY_STATIC: return "static";
    case ENERGY_COUNT: break;
    }
    return "?";
}

/* Energy of one MAC in `dtype`. A systolic array's fp32 runs as bf16
 * passes, each pass a MAC slot of its own (mxu.h), so it costs bf16 MACs;
 * a GPU's fp32 runs on the CUDA cores. */
static double mac_pj(const struct chip *c, tpusim_dtype dtype)
{
    switch (dtype) {
    case TPUSIM_DT_INT8:
    case TPUSIM_DT_UINT8:
        return c->energy_mac_int8_pj;
    case TPUSIM_DT_FLOAT32:
        return c->mxu_kind == MATRIX_TENSOR_CORES ? c->energy_mac_fp32_pj
                                                  : c->energy_mac_bf16_pj;
    default:
        return c->energy_mac_bf16_pj;
    }
}

/* MACs the matrix unit spends energy on. A systolic array clocks every PE
 * of its tiles each streaming cycle, padded rows and columns included:
 * its MAC slots. A GPU's slots are its peak rate over the kernel's whole
 * time (gpu.c), memory stalls included, so there the MACs done count. */
static uint64_t issued_macs(const struct chip *c, const struct op_demand *d)
{
    return c->mxu_kind == MATRIX_TENSOR_CORES ? d->mxu.useful_macs : d->mxu.mac_slots;
}

/* Bytes read or written on chip besides the parameters: the activations
 * the op reads and writes (as laid out), GPU reads that hit L2, and the
 * on-chip end of every HBM and host-link transfer. */
static uint64_t sram_bytes(const struct op_demand *d)
{
    return d->act_bytes + d->l2_bytes + d->hbm_bytes + d->host_bytes;
}

/* One op's dynamic energy by part, picojoules. */
static void op_pj(const struct chip *c, tpusim_dtype dtype, const struct op_demand *d,
                  double *pj)
{
    pj[ENERGY_HOST_LINK] = (double)d->host_bytes * c->energy_host_link_pj_per_byte;
    if (d->on_host)
        return; /* the host CPU computes it: only its transfers touch the chip */
    /* A fused op's parameters are read by its host's kernel; the rest of
     * its work is in its host's demand. */
    pj[ENERGY_SRAM] = (double)d->weight_bytes * c->energy_sram_pj_per_byte;
    if (d->fused_into >= 0)
        return;
    double slots = (double)c->vpu_lanes * c->vpu_sublanes;
    pj[ENERGY_MXU] = (double)issued_macs(c, d) * mac_pj(c, dtype);
    pj[ENERGY_VPU] = (double)d->vpu_cycles * slots * c->energy_vpu_pj_per_element_cycle;
    pj[ENERGY_SRAM] += (double)sram_bytes(d) * c->energy_sram_pj_per_byte;
    pj[ENERGY_HBM] = (double)d->hbm_bytes * c->energy_hbm_pj_per_byte;
}

void energy_add_op(const struct chip *c, tpusim_dtype dtype, const struct op_demand *d,
                   uint64_t *fj)
{
    double pj[ENERGY_DYNAMIC_COUNT] = {0};
    op_pj(c, dtype, d, pj);
    for (int k = 0; k < ENERGY_DYNAMIC_COUNT; k++)
        fj[k] = sat_add(fj[k], sat_from_double(pj[k] * 1e3 + 0.5));
}

/* Static energy of `cycles` chip cycles, picojoules. */
static double energy_static_pj(const struct chip *c, uint64_t cycles)
{
    return c->energy_static_w * ((double)cycles / c->clock_hz) * 1e12;
}

double energy_parts(const struct chip *c, const uint64_t *dyn_fj, uint64_t cycles, double *out)
{
    double total = 0;
    for (int k = 0; k < ENERGY_DYNAMIC_COUNT; k++) {
        out[k] = (double)dyn_fj[k] * 1e-3;
        total += out[k];
    }
    out[ENERGY_STATIC] = energy_static_pj(c, cycles);
    return total + out[ENERGY_STATIC];
}

double energy_avg_power_w(const struct chip *c, double pj, uint64_t cycles)
{
    return cycles ? pj * 1e-12 / ((double)cycles / c->clock_hz) : 0;
}

void energy_total_of(const struct chip *c, const uint64_t *dyn_fj, uint64_t cycles,
                     struct energy_total *out)
{
    double pj[ENERGY_COUNT];
    out->pj = energy_parts(c, dyn_fj, cycles, pj);
    for (int k = 0; k < ENERGY_COUNT; k++)
        out->uj_by_part[k] = pj[k] * 1e-6;
    out->uj = out->pj * 1e-6;
    out->avg_power_w = energy_avg_power_w(c, out->pj, cycles);
}
