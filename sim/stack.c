/*
 * stack.c — stack files (models/stacks/NAME.ini): their key table and list
 * parsers, finding a stack by name, the target check, and the rules the
 * lowering and the engine ask (stack.h). Reading, checking and converting
 * are ini_table.c's; every key is required; nothing has a default.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "cycles.h"
#include "ini_table.h"
#include "stack.h"

_Static_assert(sizeof(enum depthwise_unit) == sizeof(int), "INI_ENUM fields are ints");
_Static_assert(sizeof(enum host_fallback) == sizeof(int), "INI_ENUM fields are ints");
_Static_assert(sizeof(enum layout_order) == sizeof(int), "INI_ENUM fields are ints");

static const struct ini_choice DEPTHWISE_UNITS[] = {
    {"vpu", DEPTHWISE_ON_VPU},
    {"mxu", DEPTHWISE_ON_MXU},
    {NULL, 0},
};

static const struct ini_choice HOST_FALLBACKS[] = {
    {"op", HOST_FALLBACK_OP},
    {"rest_of_graph", HOST_FALLBACK_REST_OF_GRAPH},
    {NULL, 0},
};

static const struct ini_choice LAYOUT_ORDERS[] = {
    {"as_given", LAYOUT_AS_GIVEN},
    {"channels_last", LAYOUT_CHANNELS_LAST},
    {"batch_feature", LAYOUT_BATCH_FEATURE},
    {NULL, 0},
};

/* ------------------------------------------------------- list parsers */

/* Calls item() on each comma-separated, trimmed item of text; false on
 * an empty item or when item() refuses one. */
static bool each_item(const char *text, void *field, char *why, size_t why_len,
                      bool (*item)(const char *name, void *field, char *why, size_t why_len))
{
    char buf[INI_VALUE_MAX];
    ini_copy_str(buf, sizeof buf, text);
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!*p) {
            snprintf(why, why_len, "empty item in '%s' (items are separated by commas)", text);
            return false;
        }
        if (!item(p, field, why, why_len))
            return false;
        if (!comma)
            return true;
        p = comma + 1;
    }
}

/* "all", "none" or a list; false when text is neither word. */
static bool all_or_none(const char *text, struct op_set *set)
{
    memset(set, 0, sizeof *set);
    if (strcmp(text, "all") == 0) {
        set->all = true;
        return true;
    }
    return strcmp(text, "none") == 0;
}

static bool op_item(const char *name, void *field, char *why, size_t why_len)
{
    const struct op_info *info = op_info_by_name(name);
    if (!info) {
        snprintf(why, why_len, "'%s' is not an ONNX op type tpusim models (see tpusim inspect; "
                 "or write all or none)", name);
        return false;
    }
    ((struct op_set *)field)->op[info->type] = true;
    return true;
}

static bool fusible_item(const char *name, void *field, char *why, size_t why_len)
{
    if (!op_item(name, field, why, why_len))
        return false;
    if (!stack_fusible_type(op_info_by_name(name)->type)) {
        snprintf(why, why_len, "'%s' cannot join another op's kernel (fusible: element-wise and "
                 "activation ops, BatchNormalization, Cast, Identity, Dropout)", name);
        return false;
    }
    return true;
}

static bool parse_host_ops(const char *text, void *field, char *why, size_t why_len)
{
    return all_or_none(text, field) || each_item(text, field, why, why_len, op_item);
}

static bool parse_fusion(const char *text, void *field, char *why, size_t why_len)
{
    return all_or_none(text, field) || each_item(text, field, why, why_len, fusible_item);
}

/* A matrix kind ("systolic") or a chip's name. */
static bool target_item(const char *name, void *field, char *why, size_t why_len)
{
    struct stack_targets *t = field;
    const enum matrix_kind kinds[] = {MATRIX_SYSTOLIC, MATRIX_TENSOR_CORES};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(name, chip_matrix_kind_name(kinds[i])) == 0) {
            t->kinds |= (unsigned)kinds[i];
            return true;
        }
    if (t->n_chips == STACK_MAX_TARGET_CHIPS || strlen(name) >= sizeof t->chips[0]) {
        snprintf(why, why_len, "at most %d chip names of at most %zu characters",
                 STACK_MAX_TARGET_CHIPS, sizeof t->chips[0] - 1);
        return false;
    }
    ini_copy_str(t->chips[t->n_chips++], sizeof t->chips[0], name);
    return true;
}

static bool parse_targets(const char *text, void *field, char *why, size_t why_len)
{
    memset(field, 0, sizeof(struct stack_targets));
    return each_item(text, field, why, why_len, target_item);
}

/* ---------------------------------------------------------- the table */

#define F(field) offsetof(struct stack, field)
#define NO_RANGE {0, 0, false, NULL}
/* The range is the last argument; its braces hold commas, hence "...". */
#define KEY(section, name, kind, field, ...) {section, name, kind, field, 0, NULL, 0, NULL, __VA_ARGS__}
#define ENUM(section, name, field, choices)                                                       \
    {section, name, INI_ENUM, field, 0, choices, 0, NULL, NO_RANGE}
#define LIST(section, name, field, fn) {section, name, INI_LIST, field, 0, NULL, 0, fn, NO_RANGE}
#define US_RANGE(what) INI_RANGE(0, 1e6, what " from 0 to 1 s: longer would dwarf any inference")
#define TILE_RANGE                                                                                \
    INI_RANGE(1, 4096, "a layout tile's side: 1 (untiled) to 4096 elements (XLA:TPU: 8 x 128)")

/* Every key of a stack file, with the physically meaningful range of each number. */
static const struct ini_key KEYS[] = {
    LIST("stack", "targets", F(targets), parse_targets),
    LIST("fusion", "into_matrix", F(fuse[FUSE_INTO_MATRIX]), parse_fusion),
    LIST("fusion", "into_pointwise", F(fuse[FUSE_INTO_POINTWISE]), parse_fusion),
    LIST("fusion", "into_vector", F(fuse[FUSE_INTO_VECTOR]), parse_fusion),
    LIST("fusion", "into_matrix_operand", F(fuse_operand), parse_fusion),
    KEY("fusion", "reduce_with_producer", INI_BOOL, F(reduce_with_producer), NO_RANGE),
    ENUM("placement", "depthwise_on", F(depthwise_on), DEPTHWISE_UNITS),
    LIST("placement", "host_ops", F(host_ops), parse_host_ops),
    ENUM("placement", "host_fallback", F(host_fallback), HOST_FALLBACKS),
    KEY("placement", "host_cpu_gflops", INI_DOUBLE, F(host_cpu_gflops),
        INI_RANGE_OR_0(0.1, 1e6, "0: no host ops; else 0.1 GFLOP/s (a microcontroller) to "
                                 "1 PFLOP/s")),
    KEY("placement", "host_cpu_gbps", INI_DOUBLE, F(host_cpu_gbps),
        INI_RANGE_OR_0(0.1, 1e5, "0: no host ops; else 0.1 GB/s to 100 TB/s of host memory "
                                 "bandwidth")),
    KEY("placement", "device_inner_dims", INI_INT, F(device_inner_dims),
        INI_RANGE(0, 16, "0: no limit; else how many innermost dims may exceed 1 (Coral: 3)")),
    KEY("overhead", "dispatch_us_per_kernel", INI_DOUBLE, F(dispatch_us_per_kernel),
        US_RANGE("host time to issue a kernel")),
    KEY("overhead", "gap_us_per_kernel", INI_DOUBLE, F(gap_us_per_kernel),
        US_RANGE("the device gap between kernels")),
    KEY("overhead", "invoke_us_per_inference", INI_DOUBLE, F(invoke_us_per_inference),
        INI_RANGE(0, 1e7, "the runtime's cost per inference from 0 to 10 s")),
    KEY("overhead", "instruction_bytes_per_kernel", INI_U64, F(instruction_bytes_per_kernel),
        INI_RANGE(0, 1073741824.0, "compiled instructions sent per kernel: 0 (resident) to 1 GiB "
                                   "(Coral's compiled models: 1.4 to 21 KB per op)")),
    KEY("overhead", "library_setup_per_call", INI_BOOL, F(library_setup_per_call), NO_RANGE),
    ENUM("layout", "order", F(layout_order), LAYOUT_ORDERS),
    KEY("layout", "tile_second_minor_elems", INI_INT, F(tile_second_minor_elems), TILE_RANGE),
    KEY("layout", "tile_minor_32bit_elems", INI_INT, F(tile_minor_32bit_elems), TILE_RANGE),
    KEY("layout", "tile_minor_16bit_elems", INI_INT, F(tile_minor_16bit_elems), TILE_RANGE),
    KEY("layout", "tile_minor_8bit_elems", INI_INT, F(tile_minor_8bit_elems), TILE_RANGE),
    KEY("kernels", "strided_conv_split_k", INI_BOOL, F(strided_conv_split_k), NO_RANGE),
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static const char *const SECTIONS[] = {"stack",    "fusion", "placement",
                                       "overhead", "layout", "kernels"};

static const struct ini_format FORMAT = {
    .what = "stack",
    .keys = KEYS,
    .n_keys = N_KEYS,
    .sections = SECTIONS,
    .n_sections = sizeof SECTIONS / sizeof SECTIONS[0],
    .variant_key = -1,
    .missing_hint = "every key is required: write none or 0 where the stack lacks the thing, "
                    "with a source: or ASSUMED: note",
    .override_flag = "--stack-set",
};

/* ------------------------------------------------------------ loading */

static bool has_ops(const struct op_set *set)
{
    if (set->all)
        return true;
    for (int t = 0; t < OP_COUNT; t++)
        if (set->op[t])
            return true;
    return false;
}

/* Fills s->path and s->name from a stack name or an .ini path. */
static int resolve(const char *models_dir, const char *name_or_path, void *out, char *err,
                   size_t err_len)
{
    struct stack *s = out;
    if (!name_or_path || !*name_or_path)
        return ini_error(err, err_len, TPUSIM_ERR_ARG,
                         "no stack named (give a stack name or a .ini path)");
    if (ini_has_suffix(name_or_path, ".ini")) {
        ini_copy_str(s->path, sizeof s->path, name_or_path);
        /* path/to/my_stack.ini -> "my_stack" */
        const char *slash = strrchr(name_or_path, '/');
        const char *base = slash ? slash + 1 : name_or_path;
        size_t len = strlen(base) - 4;
        ini_copy_str(s->name, len + 1 < sizeof s->name ? len + 1 : sizeof s->name, base);
        return TPUSIM_OK;
    }
    int rc = ini_find_named(chip_models_dir(models_dir), "stacks/", name_or_path, ".ini",
                            "stack", stack_list, s->path, sizeof s->path, err, err_len);
    if (!rc)
        ini_copy_str(s->name, sizeof s->name, name_or_path);
    return rc;
}

/* Checks across keys. */
static int finish(void *out, const struct ini_entry *entries, char *err, size_t err_len)
{
    struct stack *s = out;
    if (has_ops(&s->host_ops) && !(s->host_cpu_gflops > 0 && s->host_cpu_gbps > 0)) {
        int k = ini_find_key(&FORMAT, "placement", "host_cpu_gflops");
        return ini_error(err, err_len, TPUSIM_ERR_PARSE,
                         "%s:%d: placement.host_cpu_gflops, host_cpu_gbps: must be > 0 when "
                         "placement.host_ops lists ops",
                         s->path, entries[k].line);
    }
    return TPUSIM_OK;
}

static const struct ini_file_kind STACK_FILE = {
    .format = &FORMAT,
    .size = sizeof(struct stack),
    .path_offset = offsetof(struct stack, path),
    .resolve = resolve,
    .finish = finish,
};

int stack_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
               int n_overrides, struct stack *out, char *err, size_t err_len)
{
    return ini_file_load(&STACK_FILE, models_dir, name_or_path, overrides, n_overrides, out, err,
                         err_len);
}

int stack_load_text(const char *name, const char *text, size_t len, const char *const *overrides,
               int n_overrides, struct stack *out, char *err, size_t err_len)
{
    return ini_file_load_text(&STACK_FILE, name, text, len, overrides, n_overrides, out, err,
                              err_len);
}

int stack_dump(const char *models_dir, const char *name_or_path, const char *const *overrides,
               int n_overrides, struct ini_value **values, int *n, struct stack *out, char *err,
               size_t err_len)
{
    return ini_file_dump(&STACK_FILE, models_dir, name_or_path, overrides, n_overrides, values,
                         n, out, err, err_len);
}

/* A stack is a file NAME.ini under models/stacks. */
static bool is_stack_file(const char *dir, const char *entry, char *name, size_t name_len)
{
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s", dir, entry);
    if (!ini_has_suffix(entry, ".ini") || w < 0 || (size_t)w >= sizeof path || !ini_is_file(path))
        return false;
    size_t len = strlen(entry) - 4;
    if (len >= name_len)
        return false;
    memcpy(name, entry, len);
    name[len] = '\0';
    return true;
}

int stack_list(const char *models_dir, char ***names, int *n)
{
    char dir[PATH_MAX];
    int w = snprintf(dir, sizeof dir, "%s/stacks", chip_models_dir(models_dir));
    if (w < 0 || (size_t)w >= sizeof dir)
        return TPUSIM_ERR_ARG;
    return ini_list_dir(dir, is_stack_file, names, n);
}

const char *stack_targets_text(const struct stack *s, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    const enum matrix_kind kinds[] = {MATRIX_SYSTOLIC, MATRIX_TENSOR_CORES};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && off < len; i++)
        if (s->targets.kinds & (unsigned)kinds[i])
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
                                    chip_matrix_kind_name(kinds[i]));
    for (int i = 0; i < s->targets.n_chips && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
                                s->targets.chips[i]);
    return buf;
}

int stack_check_target(const struct stack *s, const struct chip *c, char *err, size_t err_len)
{
    if (s->targets.kinds & (unsigned)c->mxu_kind)
        return TPUSIM_OK;
    for (int i = 0; i < s->targets.n_chips; i++)
        if (strcmp(s->targets.chips[i], c->name) == 0)
            return TPUSIM_OK;
    char targets[256];
    return ini_error(err, err_len, TPUSIM_ERR_ARG,
                     "stack '%s' does not run on chip '%s' (a %s chip): it targets %s (%s: "
                     "stack.targets)",
                     s->name, c->name, chip_matrix_kind_name(c->mxu_kind),
                     stack_targets_text(s, targets, sizeof targets), s->path);
}

int stack_resolve(const char *models_dir, const struct chip *c, const char *name_or_path,
                  const char *const *overrides, int n_overrides, struct stack *out, char *err,
                  size_t err_len)
{
    bool chosen = name_or_path && name_or_path[0];
    char why[1024];
    int rc = stack_load(models_dir, chosen ? name_or_path : c->default_stack, overrides,
                        n_overrides, out, why, sizeof why);
    if (rc && !chosen)
        return ini_error(err, err_len, rc, "%s: compiler.default_stack: %s", c->path, why);
    if (rc)
        return ini_error(err, err_len, rc, "%s", why);
    rc = stack_check_target(out, c, err, err_len);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---------------------------------------------------------- the rules */

bool stack_fusible_type(enum op_type t)
{
    enum op_class cls = op_info_of(t)->cls;
    return cls == OPC_ELEMENTWISE || cls == OPC_TRANSCENDENTAL || t == OP_BATCH_NORM ||
           t == OP_CAST || t == OP_IDENTITY || t == OP_DROPOUT;
}

/* The kernels an op of type `host` runs, as a fusion target; -1: none
 * (data movement, views and recurrences never host an epilogue). */
static int target_of(enum op_type host)
{
    if (host == OP_BATCH_NORM) /* a per-channel scale and shift: a pointwise kernel */
        return FUSE_INTO_POINTWISE;
    switch (op_info_of(host)->cls) {
    case OPC_MATRIX: return FUSE_INTO_MATRIX;
    case OPC_ELEMENTWISE:
    case OPC_TRANSCENDENTAL: return FUSE_INTO_POINTWISE;
    case OPC_POOL:
    case OPC_NORM:
    case OPC_REDUCE: return FUSE_INTO_VECTOR;
    case OPC_RECURRENT:
    case OPC_MOVE:
    case OPC_FREE: break;
    }
    return -1;
}

/* cuDNN's fused convolution computes act(conv(x) * a1 + z * a2 + bias):
 * the stage of an epilogue op in that formula. */
enum { STAGE_SCALE, STAGE_SUM, STAGE_ACTIVATION };

static int epilogue_stage(enum op_type t, int n_activations)
{
    if (t == OP_BATCH_NORM)
        return STAGE_SCALE;
    bool arithmetic = t == OP_ADD || t == OP_SUB || t == OP_MUL || t == OP_DIV;
    if (n_activations >= 2)
        return STAGE_SUM;
    return arithmetic ? STAGE_SCALE : STAGE_ACTIVATION; /* a constant operand: bias or scale */
}

bool stack_fuses(const struct stack *s, enum op_type host, enum op_type t, int n_activations,
                 int *stage)
{
    int target = target_of(host);
    if (target < 0 || !stack_fusible_type(t))
        return false;
    if (t == OP_CAST || t == OP_IDENTITY || t == OP_DROPOUT)
        return true; /* no work: every runtime drops them */
    const struct op_set *set = &s->fuse[target];
    if (set->all)
        return true;
    if (!set->op[t])
        return false;
    if (target != FUSE_INTO_MATRIX)
        return true;
    int st = epilogue_stage(t, n_activations);
    if (st <= *stage)
        return false;
    *stage = st;
    return true;
}

bool stack_fuses_operand(const struct stack *s, enum op_type t)
{
    return stack_fusible_type(t) && (s->fuse_operand.all || s->fuse_operand.op[t]);
}

bool stack_on_host(const struct stack *s, enum op_type t, bool previous_on_host)
{
    if (previous_on_host && s->host_fallback == HOST_FALLBACK_REST_OF_GRAPH)
        return true;
    return s->host_ops.all || s->host_ops.op[t];
}

bool stack_device_maps_shape(const struct stack *s, int rank, const int64_t *dims)
{
    if (s->device_inner_dims <= 0 || rank <= s->device_inner_dims)
        return true;
    /* In channels_last order the channels (ONNX dim 1) are innermost, so
     * the outer dims are the batch and the leading spatial ones. */
    bool moved = s->layout_order == LAYOUT_CHANNELS_LAST && rank >= 3;
    int outer = rank - s->device_inner_dims;
    for (int i = 0; i < outer; i++) {
        int d = moved && i >= 1 ? i + 1 : i;
        if (dims[d] > 1)
            return false;
    }
    return true;
}

uint64_t stack_host_cycles(const struct stack *s, double clock_mhz, uint64_t flops,
                           uint64_t bytes)
{
    if (!(s->host_cpu_gflops > 0 && s->host_cpu_gbps > 0))
        return 0;
    /* GFLOP/s = 1e3 FLOP/us; GB/s = 1e3 bytes/us. */
    double compute_us = (double)flops / (s->host_cpu_gflops * 1e3);
    double memory_us = (double)bytes / (s->host_cpu_gbps * 1e3);
    return ceil_cycles((compute_us > memory_us ? compute_us : memory_us) * clock_mhz);
}

uint64_t stack_launch_cycles(const struct stack *s, double clock_mhz, uint64_t work_cycles,
                             double extra_us)
{
    uint64_t gap = ceil_cycles(s->gap_us_per_kernel * clock_mhz);
    uint64_t dispatch = sat_add(ceil_cycles(s->dispatch_us_per_kernel * clock_mhz),
                                ceil_cycles(extra_us * clock_mhz));
    uint64_t busy = sat_add(work_cycles, gap);
    return dispatch > busy ? dispatch - work_cycles : gap;
}

uint64_t stack_invocation_cycles(const struct stack *s, double clock_mhz)
{
    return ceil_cycles(s->invoke_us_per_inference * clock_mhz);
}

static uint64_t round_up(uint64_t n, uint64_t multiple)
{
    return sat_mul(ceil_div(n, multiple), multiple);
}

/* The minor (lane) tile of `dtype`'s elements. */
static uint64_t minor_tile(const struct stack *s, tpusim_dtype dtype)
{
    size_t bytes = tpusim_dtype_size_bytes(dtype);
    return (uint64_t)(bytes == 1   ? s->tile_minor_8bit_elems
                      : bytes == 2 ? s->tile_minor_16bit_elems
                                   : s->tile_minor_32bit_elems);
}

/* batch_feature: from LAYOUT_BATCH_MINOR_FROM the batch is the minor
 * dimension, below it the second-minor one. */
static bool batch_is_minor(uint64_t batch)
{
    return batch >= LAYOUT_BATCH_MINOR_FROM;
}

uint64_t stack_laid_batch(const struct stack *s, int rank, const int64_t *dims,
                          tpusim_dtype dtype)
{
    uint64_t batch = rank > 0 && dims[0] > 0 ? (uint64_t)dims[0] : 1;
    if (s->layout_order != LAYOUT_BATCH_FEATURE || rank < 4)
        return batch;
    return round_up(batch, batch_is_minor(batch) ? minor_tile(s, dtype)
                                                 : (uint64_t)s->tile_second_minor_elems);
}

uint64_t stack_padded_elems(const struct stack *s, int rank, const int64_t *dims,
                            tpusim_dtype dtype)
{
    if (rank <= 0)
        return 1;
    /* The physical order, most major first. */
    uint64_t phys[TPUSIM_MAX_RANK];
    for (int i = 0; i < rank && i < TPUSIM_MAX_RANK; i++)
        phys[i] = dims[i] > 0 ? (uint64_t)dims[i] : 0;
    if (rank > TPUSIM_MAX_RANK)
        rank = TPUSIM_MAX_RANK;
    if (s->layout_order == LAYOUT_CHANNELS_LAST && rank >= 3) {
        uint64_t channels = phys[1];
        memmove(&phys[1], &phys[2], (size_t)(rank - 2) * sizeof phys[0]);
        phys[rank - 1] = channels;
    } else if (s->layout_order == LAYOUT_BATCH_FEATURE && rank >= 4) {
        /* spatial..., then batch and channels, the larger-lane one minor */
        uint64_t batch = phys[0], channels = phys[1];
        memmove(&phys[0], &phys[2], (size_t)(rank - 2) * sizeof phys[0]);
        phys[rank - 2] = batch_is_minor(batch) ? channels : batch;
        phys[rank - 1] = batch_is_minor(batch) ? batch : channels;
    }
    phys[rank - 1] = round_up(phys[rank - 1], minor_tile(s, dtype));
    if (rank >= 2)
        phys[rank - 2] = round_up(phys[rank - 2], (uint64_t)s->tile_second_minor_elems);
    uint64_t n = 1;
    for (int i = 0; i < rank; i++)
        n = sat_mul(n, phys[i]);
    return n;
}
