/*
 * chip.c — chip files (models/<chip>/chip.ini): the table of their keys,
 * finding a chip by name, and the values derived at load. Reading,
 * checking and converting are ini_table.c's; every key of KEYS is
 * required; nothing has a default.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cycles.h"
#include "chip.h"
#include "ini_table.h"
#include "install_dirs.h" /* generated from PREFIX by the Makefile */
#include "matrix_unit.h"
#include "tpusim.h"

_Static_assert(sizeof(enum matrix_kind) == sizeof(int), "INI_ENUM fields are ints");

/* mxu.kind's names: the one list the parser, the messages and
 * chip_matrix_kind_name read. Its values are the bits of `applies`. */
static const struct ini_choice MATRIX_KINDS[] = {
    {"systolic", MATRIX_SYSTOLIC},
    {"tensor_cores", MATRIX_TENSOR_CORES},
    {NULL, 0},
};

/* gpu.conv_algorithm's names: cuDNN's forward algorithms
 * (cudnnConvolutionFwdAlgo_t, lower case, no prefix) and `find`. */
static const struct ini_choice CONV_ALGORITHMS[] = {
    {"find", CONV_ALGO_COUNT},
    {"implicit_gemm", CONV_ALGO_IMPLICIT_GEMM},
    {"implicit_precomp_gemm", CONV_ALGO_IMPLICIT_PRECOMP_GEMM},
    {"gemm", CONV_ALGO_GEMM},
    {"winograd", CONV_ALGO_WINOGRAD},
    {"winograd_nonfused", CONV_ALGO_WINOGRAD_NONFUSED},
    {"fft_tiling", CONV_ALGO_FFT_TILING},
    {NULL, 0},
};

#define SYSTOLIC MATRIX_SYSTOLIC
#define TENSOR MATRIX_TENSOR_CORES

#define F(field) offsetof(struct chip, field)
#define VPU_COST(op) (offsetof(struct chip, vpu_cycles_per_vector) + (op) * sizeof(double))
/* The range is the last argument; its braces hold commas, hence "...". */
#define KEY(section, name, kind, field, applies, ...)                                            \
    {section, name, kind, field, applies, NULL, 0, NULL, __VA_ARGS__}
#define R INI_RANGE
#define R0 INI_RANGE_OR_0

/* Bounds shared by several keys, each with its reason. */
#define COST_RANGE                                                                                \
    R(0.01, 1e4, "one vector op per 1/100 cycle (100 units) to 10,000 cycles (software "          \
                 "emulation); TPUs and the V100 issue 1 to 9")
#define SRAM_RANGE                                                                                \
    R0(1024, 1099511627776.0, "0 (none), or 1 KiB to 1 TiB of on-chip memory (TPUv4i has "       \
                              "144 MiB, the largest of the chips modelled)")
#define MAC_PJ_RANGE                                                                              \
    R0(1e-4, 1000, "0: the array lacks the type; else 0.1 fJ to 1 nJ per MAC (a 45 nm "         \
                   "fp32 multiply-add is 4.6 pJ, Horowitz ISSCC 2014)")
#define US_RANGE(what)                                                                            \
    R(0, 1e6, what " from 0 to 1 s: longer would dwarf any inference")

/* Every key of a chip file, grouped by section in the order the files
 * use, with the physically meaningful range of each number. */
static const struct ini_key KEYS[] = {
    KEY("chip", "clock_mhz", INI_DOUBLE, F(clock_mhz), 0,
        R(1, 1e4, "clocked CMOS logic: 1 MHz to 10 GHz (the chips modelled run 500 to 1530 MHz)")),
    KEY("chip", "cores", INI_INT, F(cores), 0,
        R(1, 1024, "cores sharing one chip's memory: 1 to 1024 (TPUs have 1 or 2)")),
    {"mxu", "kind", INI_ENUM, F(mxu_kind), 0, MATRIX_KINDS, 0, NULL, {0, 0, false, NULL}},
    KEY("mxu", "per_core", INI_INT, F(mxu_per_core), SYSTOLIC,
        R(1, 64, "matrix units per core: 1 to 64 (TPUs have 1 to 4)")),
    KEY("mxu", "rows", INI_INT, F(mxu_rows), SYSTOLIC,
        R(1, 4096, "a systolic array's side: 1 to 4096 PEs (TPUs: 64 to 128)")),
    KEY("mxu", "cols", INI_INT, F(mxu_cols), SYSTOLIC,
        R(1, 4096, "a systolic array's side: 1 to 4096 PEs (TPUs: 64 to 128)")),
    KEY("mxu", "double_buffered_weights", INI_BOOL, F(mxu_double_buffered_weights), SYSTOLIC,
        {0, 0, false, NULL}),
    KEY("mxu", "bf16", INI_BOOL, F(mxu_bf16), SYSTOLIC, {0, 0, false, NULL}),
    KEY("mxu", "fp32_passes", INI_INT, F(mxu_fp32_passes), SYSTOLIC,
        R(0, 16, "bf16 passes per fp32 product: 0 (no fp32) to 16 (JAX's HIGHEST uses 6)")),
    KEY("mxu", "int8_macs_per_pe_per_cycle", INI_INT, F(mxu_int8_macs_per_pe_per_cycle),
        SYSTOLIC, R(1, 16, "int8 MACs per PE per cycle: 1 to 16 (packed int8 gives 2 to 4)")),
    KEY("vpu", "lanes", INI_INT, F(vpu_lanes), 0,
        R(1, 65536, "vector lanes: 1 to 65,536 (TPUs 128, the V100's CUDA cores 5,120)")),
    KEY("vpu", "sublanes", INI_INT, F(vpu_sublanes), 0,
        R(1, 1024, "sublanes per lane: 1 to 1024 (TPUs have 8)")),
    KEY("vpu", "add_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_ADD), 0, COST_RANGE),
    KEY("vpu", "mul_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_MUL), 0, COST_RANGE),
    KEY("vpu", "div_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_DIV), 0, COST_RANGE),
    KEY("vpu", "exp_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_EXP), 0, COST_RANGE),
    KEY("vpu", "sigmoid_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_SIGMOID), 0, COST_RANGE),
    KEY("vpu", "tanh_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_TANH), 0, COST_RANGE),
    KEY("vpu", "rsqrt_cycles_per_vector", INI_DOUBLE, VPU_COST(VPU_RSQRT), 0, COST_RANGE),
    KEY("vpu", "vmem_bytes_per_cycle", INI_DOUBLE, F(vpu_vmem_bytes_per_cycle), 0,
        R(1, 1e7, "1 byte to 10 MB per cycle between vector unit and its memory (TPUv3: 8 KiB)")),
    KEY("hbm", "bandwidth_gbps", INI_DOUBLE, F(hbm_bandwidth_gbps), 0,
        R0(0.1, 1e5, "0: no DRAM (with capacity_gib = 0); else 0.1 GB/s (a narrow LPDDR "
                     "channel) to 100 TB/s (an HBM3E stack gives about 1.2 TB/s)")),
    KEY("hbm", "latency_ns", INI_DOUBLE, F(hbm_latency_ns), 0,
        R(0, 1e5, "0 to 100 us (DRAM load-to-use is about 100 to 700 ns)")),
    KEY("hbm", "capacity_gib", INI_DOUBLE, F(hbm_capacity_gib), 0,
        R0(0.001, 1e5, "0: no DRAM (with bandwidth_gbps = 0); else 1 MiB to 100 TiB")),
    KEY("sram", "vmem_bytes", INI_U64, F(vmem_bytes), 0,
        R(4096, 1099511627776.0, "4 KiB (room for a tile) to 1 TiB of vector memory per core")),
    KEY("sram", "cmem_bytes", INI_U64, F(cmem_bytes), 0, SRAM_RANGE),
    KEY("sram", "param_cache_bytes", INI_U64, F(param_cache_bytes), 0, SRAM_RANGE),
    KEY("host_link", "bandwidth_gbps", INI_DOUBLE, F(host_link_bandwidth_gbps), 0,
        R0(0.01, 1e4, "0: no host link; else 10 MB/s (below USB 2) to 10 TB/s")),
    KEY("host_link", "latency_us", INI_DOUBLE, F(host_link_latency_us), 0,
        US_RANGE("a host transfer's latency")),
    KEY("host_link", "overhead_us_per_transfer", INI_DOUBLE,
        F(host_link_overhead_us_per_transfer), 0, US_RANGE("a host transfer's overhead")),
    KEY("host_link", "max_transfer_bytes", INI_U64, F(host_link_max_transfer_bytes), 0,
        R0(512, 1099511627776.0, "0: one transfer per tensor; else 512 bytes (a USB 3 "
                                 "packet) to 1 TiB per transfer (libedgetpu: 1 MiB)")),
    KEY("host_link", "transfers_in_flight", INI_INT, F(host_link_transfers_in_flight), 0,
        R(1, 1024, "transfers queued at once: 1 to 1024 (libedgetpu's USB driver: 3)")),
    KEY("gpu", "sms", INI_INT, F(gpu_sms), TENSOR,
        R(1, 1024, "streaming multiprocessors: 1 to 1024 (V100 80, H100 132)")),
    KEY("gpu", "tensor_cores_per_sm", INI_INT, F(gpu_tensor_cores_per_sm), TENSOR,
        R(1, 64, "tensor cores per SM: 1 to 64 (Volta to Hopper have 4 to 8)")),
    KEY("gpu", "fp16_fma_per_tensor_core_per_cycle", INI_INT,
        F(gpu_fp16_fma_per_tensor_core_per_cycle), TENSOR,
        R(1, 4096, "fp16 FMAs per tensor core per cycle: 1 to 4096 (V100 64, H100 512)")),
    KEY("gpu", "fp32_cores_per_sm", INI_INT, F(gpu_fp32_cores_per_sm), TENSOR,
        R(1, 1024, "FP32 cores per SM: 1 to 1024 (V100 64, H100 128)")),
    KEY("gpu", "registers_per_sm", INI_INT, F(gpu_registers_per_sm), TENSOR,
        R(1024, 16777216, "32-bit registers per SM: 1 Ki to 16 Mi (every NVIDIA SM since "
                          "Kepler has 64 Ki)")),
    KEY("gpu", "shared_memory_per_sm_bytes", INI_U64, F(gpu_shared_memory_per_sm_bytes), TENSOR,
        R(1024, 1073741824.0, "1 KiB to 1 GiB per SM (V100 96 KiB, H100 228 KiB)")),
    KEY("gpu", "max_threads_per_sm", INI_INT, F(gpu_max_threads_per_sm), TENSOR,
        R(32, 65536, "one warp (32) to 65,536 threads per SM (NVIDIA: 1,024 to 2,048)")),
    KEY("gpu", "max_blocks_per_sm", INI_INT, F(gpu_max_blocks_per_sm), TENSOR,
        R(1, 1024, "thread blocks per SM: 1 to 1024 (NVIDIA: 16 to 32)")),
    KEY("gpu", "shared_memory_bytes_per_cycle_per_sm", INI_DOUBLE,
        F(gpu_shared_memory_bytes_per_cycle_per_sm), TENSOR,
        R(1, 1e5, "1 byte to 100 KB per cycle per SM (NVIDIA SMs: 128)")),
    KEY("gpu", "dram_efficiency_fraction", INI_DOUBLE, F(gpu_dram_efficiency_fraction), TENSOR,
        R(0.01, 1, "a share of the DRAM pin bandwidth: 1% to all of it")),
    KEY("gpu", "l2_bandwidth_gbps", INI_DOUBLE, F(gpu_l2_bandwidth_gbps), TENSOR,
        R(1, 1e6, "1 GB/s to 1 PB/s (V100 about 2.1 TB/s)")),
    KEY("gpu", "l2_latency_ns", INI_DOUBLE, F(gpu_l2_latency_ns), TENSOR,
        R(1, 1e5, "1 ns to 100 us (an L2 hit takes about 100 to 300 ns)")),
    KEY("gpu", "launch_overhead_us", INI_DOUBLE, F(gpu_launch_overhead_us), TENSOR,
        US_RANGE("the device gap between two kernels")),
    {"gpu", "conv_algorithm", INI_ENUM, F(gpu_conv_algorithm), TENSOR, CONV_ALGORITHMS, 0, NULL,
     {0, 0, false, NULL}},
    {"compiler", "default_stack", INI_NAME, F(default_stack), 0, NULL,
     sizeof(((struct chip *)0)->default_stack), NULL, {0, 0, false, NULL}},
    KEY("energy", "mac_int8_pj", INI_DOUBLE, F(energy_mac_int8_pj), 0, MAC_PJ_RANGE),
    KEY("energy", "mac_bf16_pj", INI_DOUBLE, F(energy_mac_bf16_pj), 0, MAC_PJ_RANGE),
    KEY("energy", "mac_fp32_pj", INI_DOUBLE, F(energy_mac_fp32_pj), TENSOR, MAC_PJ_RANGE),
    KEY("energy", "vpu_pj_per_element_cycle", INI_DOUBLE, F(energy_vpu_pj_per_element_cycle), 0,
        R(0.001, 1000, "1 fJ to 1 nJ per element slot and cycle (a 45 nm fp32 multiply-add "
                       "is 4.6 pJ, Horowitz ISSCC 2014)")),
    KEY("energy", "sram_pj_per_byte", INI_DOUBLE, F(energy_sram_pj_per_byte), 0,
        R(0.001, 1000, "1 fJ to 1 nJ per byte (45 nm SRAM: 1.25 pJ/byte from 8 KiB, 12.5 "
                       "from 1 MiB, Horowitz ISSCC 2014)")),
    KEY("energy", "hbm_pj_per_byte", INI_DOUBLE, F(energy_hbm_pj_per_byte), 0,
        R0(0.1, 10000, "0: no DRAM; else 0.1 pJ to 10 nJ per byte (HBM2 about 31, DDR3 "
                       "about 160 to 330, Horowitz ISSCC 2014)")),
    KEY("energy", "host_link_pj_per_byte", INI_DOUBLE, F(energy_host_link_pj_per_byte), 0,
        R0(0.1, 1e5, "0: no host link; else 0.1 pJ to 100 nJ per byte (serial links: "
                     "tens to hundreds of pJ per byte)")),
    KEY("energy", "static_w", INI_DOUBLE, F(energy_static_w), 0,
        R0(1e-4, 1e4, "0 (not modelled), or 0.1 mW to 10 kW of leakage and always-on power")),
    KEY("energy", "tdp_w", INI_DOUBLE, F(energy_tdp_w), 0,
        R(1e-3, 1e4, "1 mW to 10 kW (Edge TPU 2 W, TPUv3 450 W)")),
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static const char *const SECTIONS[] = {"chip", "mxu", "vpu", "hbm", "sram", "host_link", "gpu",
                                       "compiler", "energy"};

static const struct ini_format FORMAT = {
    .what = "chip",
    .keys = KEYS,
    .n_keys = N_KEYS,
    .sections = SECTIONS,
    .n_sections = sizeof SECTIONS / sizeof SECTIONS[0],
    .variant_key = 2, /* KEYS[2], mxu.kind */
    .missing_hint = "every key is required: write 0 where the chip lacks the thing, with a "
                    "source: or ASSUMED: note",
    .override_flag = "--set",
};

const char *chip_matrix_kind_name(enum matrix_kind kind)
{
    return ini_choice_name(MATRIX_KINDS, (int)kind);
}

static void derive(struct chip *c)
{
    c->clock_hz = c->clock_mhz * 1e6;
    c->hbm_bytes_per_cycle = c->hbm_bandwidth_gbps * 1e9 / c->clock_hz;
    c->host_link_bytes_per_cycle = c->host_link_bandwidth_gbps * 1e9 / c->clock_hz;
    /* ns x MHz / 1000 and us x MHz: exact in binary for the usual values. */
    c->hbm_latency_cycles = ceil_cycles(c->hbm_latency_ns * c->clock_mhz / 1e3);
    c->host_link_latency_cycles = ceil_cycles(c->host_link_latency_us * c->clock_mhz);
    c->host_link_overhead_cycles = ceil_cycles(c->host_link_overhead_us_per_transfer * c->clock_mhz);
    double macs = (double)c->mxu_per_core * c->mxu_rows * c->mxu_cols;
    if (!c->mxu_bf16) /* int8-only arrays: their peak is in int8 ops */
        macs *= c->mxu_int8_macs_per_pe_per_cycle;
    if (c->mxu_kind == MATRIX_TENSOR_CORES) { /* fp16 tensor-core FMAs per cycle */
        macs = (double)c->gpu_sms * c->gpu_tensor_cores_per_sm *
               c->gpu_fp16_fma_per_tensor_core_per_cycle;
        c->gpu_l2_bytes_per_cycle = c->gpu_l2_bandwidth_gbps * 1e9 / c->clock_hz;
        c->gpu_l2_latency_cycles = ceil_cycles(c->gpu_l2_latency_ns * c->clock_mhz / 1e3);
        c->gpu_launch_overhead_cycles = ceil_cycles(c->gpu_launch_overhead_us * c->clock_mhz);
        /* What kernels can actually draw from DRAM, not the pin rate. */
        c->hbm_bytes_per_cycle *= c->gpu_dram_efficiency_fraction;
    }
    c->peak_flops_per_s_core = macs * 2 * c->clock_hz;
    c->peak_flops_per_s = c->peak_flops_per_s_core * c->cores;
}

/* Fills c->path and c->name from a chip name or an .ini path. */
static int resolve(const char *models_dir, const char *name_or_path, void *out, char *err,
                   size_t err_len)
{
    struct chip *c = out;
    if (!name_or_path || !*name_or_path)
        return ini_error(err, err_len, TPUSIM_ERR_ARG,
                         "no chip named (give a chip name or a .ini path)");
    if (ini_has_suffix(name_or_path, ".ini")) {
        ini_copy_str(c->path, sizeof c->path, name_or_path);
        /* models/tpu_v3/chip.ini -> "tpu_v3"; my_chip.ini -> "my_chip" */
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", name_or_path);
        char *slash = strrchr(tmp, '/');
        char *base = slash ? slash + 1 : tmp;
        if (strcmp(base, "chip.ini") == 0 && slash) {
            *slash = '\0';
            char *parent = strrchr(tmp, '/');
            ini_copy_str(c->name, sizeof c->name, parent ? parent + 1 : tmp);
        } else {
            base[strlen(base) - 4] = '\0';
            ini_copy_str(c->name, sizeof c->name, base);
        }
        return TPUSIM_OK;
    }
    int rc = ini_find_named(chip_models_dir(models_dir), "", name_or_path, "/chip.ini", "chip",
                            chip_list, c->path, sizeof c->path, err, err_len);
    if (!rc)
        ini_copy_str(c->name, sizeof c->name, name_or_path);
    return rc;
}

/* Checks across keys, then the derived values. */
static int finish(void *out, const struct ini_entry *entries, char *err, size_t err_len)
{
    struct chip *c = out;
    if (c->mxu_kind == MATRIX_SYSTOLIC && !c->mxu_bf16 && c->mxu_fp32_passes) {
        int k = ini_find_key(&FORMAT, "mxu", "fp32_passes");
        return ini_error(err, err_len, TPUSIM_ERR_PARSE,
                         "%s:%d: mxu.fp32_passes: must be 0 when mxu.bf16 = false (fp32 is "
                         "emulated with bf16 passes)",
                         c->path, entries[k].line);
    }
    /* 0 GB/s means "no DRAM": everything then lives on chip, so a chip
     * that has DRAM must not lose its bandwidth to a typo (--set
     * hbm.bandwidth_gbps=0 on tpu_v3 reported 393% of peak). */
    if ((c->hbm_bandwidth_gbps == 0) != (c->hbm_capacity_gib == 0)) {
        int k = ini_find_key(&FORMAT, "hbm", "bandwidth_gbps");
        return ini_error(err, err_len, TPUSIM_ERR_PARSE,
                         "%s:%d: hbm.bandwidth_gbps = %g with hbm.capacity_gib = %g: a chip "
                         "without DRAM has both 0, a chip with DRAM neither",
                         c->path, entries[k].line, c->hbm_bandwidth_gbps, c->hbm_capacity_gib);
    }
    derive(c);
    return TPUSIM_OK;
}

/* The derived values of a dump; tensor-core chips add their GPU ones. */
static size_t derived_values(const void *loaded, struct ini_value *v)
{
    const struct chip *c = loaded;
    size_t n = 0;
    ini_value_derived(&v[n++], "derived.clock_hz", "Hz", c->clock_hz);
    ini_value_derived(&v[n++], "derived.hbm_bytes_per_cycle", "bytes/cycle",
                      c->hbm_bytes_per_cycle);
    ini_value_derived(&v[n++], "derived.host_link_bytes_per_cycle", "bytes/cycle",
                      c->host_link_bytes_per_cycle);
    ini_value_derived(&v[n++], "derived.hbm_latency_cycles", "cycles",
                      (double)c->hbm_latency_cycles);
    ini_value_derived(&v[n++], "derived.host_link_latency_cycles", "cycles",
                      (double)c->host_link_latency_cycles);
    ini_value_derived(&v[n++], "derived.host_link_overhead_cycles", "cycles",
                      (double)c->host_link_overhead_cycles);
    ini_value_derived(&v[n++], "derived.peak_flops_per_s_core", "FLOP/s",
                      c->peak_flops_per_s_core);
    ini_value_derived(&v[n++], "derived.peak_flops_per_s", "FLOP/s", c->peak_flops_per_s);
    if (c->mxu_kind == MATRIX_TENSOR_CORES) {
        ini_value_derived(&v[n++], "derived.gpu_launch_overhead_cycles", "cycles",
                          (double)c->gpu_launch_overhead_cycles);
        ini_value_derived(&v[n++], "derived.gpu_l2_bytes_per_cycle", "bytes/cycle",
                          c->gpu_l2_bytes_per_cycle);
        ini_value_derived(&v[n++], "derived.gpu_l2_latency_cycles", "cycles",
                          (double)c->gpu_l2_latency_cycles);
    }
    return n;
}

static const struct ini_file_kind CHIP_FILE = {
    .format = &FORMAT,
    .size = sizeof(struct chip),
    .path_offset = offsetof(struct chip, path),
    .resolve = resolve,
    .finish = finish,
    .derived = derived_values,
    .max_derived = 11,
};

int chip_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len)
{
    return ini_file_load(&CHIP_FILE, models_dir, name_or_path, overrides, n_overrides, out, err,
                         err_len);
}

int chip_load_keep(const char *models_dir, const char *name_or_path, const char *const *overrides,
                   int n_overrides, struct chip *out, struct ini_entry **entries, char *err,
                   size_t err_len)
{
    return ini_file_load_keep(&CHIP_FILE, models_dir, name_or_path, overrides, n_overrides, out,
                              entries, err, err_len);
}

int chip_derive(const struct chip *base, const struct ini_entry *base_entries,
                const char *const *overrides, int n_overrides, struct chip *out,
                struct ini_entry **entries, char *err, size_t err_len)
{
    return ini_file_derive(&CHIP_FILE, base, base_entries, overrides, n_overrides, out, entries,
                           err, err_len);
}

int chip_load_text(const char *name, const char *text, size_t len, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len)
{
    return ini_file_load_text(&CHIP_FILE, name, text, len, overrides, n_overrides, out, err,
                              err_len);
}

int chip_dump(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct ini_value **values, int *n, struct chip *out, char *err,
              size_t err_len)
{
    return ini_file_dump(&CHIP_FILE, models_dir, name_or_path, overrides, n_overrides, values, n,
                         out, err, err_len);
}

const char *chip_models_dir(const char *given)
{
    if (given && given[0])
        return given;
    const char *env = getenv("TPUSIM_MODELS_DIR");
    if (env && env[0])
        return env;
    struct stat st;
    if (stat("models", &st) == 0 && S_ISDIR(st.st_mode))
        return "models";
    return tpusim_installed_models_dir();
}

const char *tpusim_installed_models_dir(void)
{
    return TPUSIM_INSTALLED_MODELS_DIR;
}

/* A chip is a folder holding chip.ini. */
static bool is_chip_dir(const char *dir, const char *entry, char *name, size_t name_len)
{
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s/chip.ini", dir, entry);
    if (w < 0 || (size_t)w >= sizeof path || !ini_is_file(path))
        return false;
    ini_copy_str(name, name_len, entry);
    return true;
}

int chip_list(const char *models_dir, char ***names, int *n)
{
    return ini_list_dir(chip_models_dir(models_dir), is_chip_dir, names, n);
}
