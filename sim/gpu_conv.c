/*
 * gpu_conv.c — convolutions as cuDNN 7 runs them on a GPU (model in gpu.h):
 * every forward algorithm it has for a convolution, each timed from the
 * kernels it launches, and the fastest kept, as cudnnFind picks. The
 * algorithms (cuDNN developer guide, cudnnConvolutionFwdAlgo_t):
 *  - IMPLICIT_GEMM, IMPLICIT_PRECOMP_GEMM: a GEMM of M = N P Q output
 *    pixels by N = K filters over K = C R S taps, the input gathered tap by
 *    tap and never written out. On tensor cores the tensors are NHWC and a
 *    shared-memory stage holds 32 channels of one filter tap, so each tap's
 *    channels pad to 32. The two differ in how the gather's addresses are
 *    made: computed in the kernel (on Volta's separate INT32 cores, V100
 *    whitepaper, "Volta SM", so at no cost to the FMAs), or read from a
 *    table that IMPLICIT_PRECOMP_GEMM's first kernel,
 *    cudnn::gemm::computeOffsetsKernel, writes (public nvprof listings show
 *    one per precomputed-GEMM convolution, beside the scudnn/s884cudnn
 *    kernel): one kernel and one kernel boundary more, unless an engine
 *    built the table ahead (conv_desc.setup_prebuilt, from the stack).
 *  - GEMM: the input unrolled (im2col) through DRAM, then a GEMM.
 *  - WINOGRAD: fused Winograd F(2x2, 3x3) (Lavin and Gray 2016, "Fast
 *    Algorithms for Convolutional Neural Networks"): 16 multiplies per 2x2
 *    output tile instead of 36, the input and output transforms done in the
 *    GEMM kernel, the filters transformed by a kernel before it.
 *  - WINOGRAD_NONFUSED: F(4x4, 3x3) or F(2x2, 5x5) (6x6 transformed tiles)
 *    as four kernels: input, filter and output transforms through DRAM and
 *    36 batched GEMMs.
 * The kernels that depend on the weights alone (offset table, filter
 * transforms) are skipped when an engine prepared them ahead
 * (conv_desc.setup_prebuilt).
 *  - FFT_TILING: 32x32 tiles through FFTs, a batched complex GEMM per
 *    frequency, an inverse FFT.
 * Tensor cores run IMPLICIT_PRECOMP_GEMM and WINOGRAD_NONFUSED only
 * (cuDNN developer guide, "Tensor Core Operations"), with C and K in
 * multiples of 8; NCHW tensors go through a transform kernel to NHWC that
 * also pads the channels (cuDNN 7.2+, NVIDIA blog "Tensor Ops Made Easier
 * in cuDNN", 2018), and the output comes back the same way.
 */
#include "gpu.h"

#include "cycles.h"

/* cuDNN's forward implicit-GEMM kernels on Volta, named by their tiles
 * (pixels x filters): volta_fp16_s884cudnn_fp16_{256x128,256x64,128x128}
 * _ldg8_..._nhwc_tn_v1, with splitK variants
 * (volta_fp16_s884cudnn_fp16_128x128_ldg8_splitK_relu_f2f_exp_small_nhwc_tn_v1),
 * and volta_scudnn_{128x128,128x64,128x32}_relu_interior_nn_v1 on CUDA cores
 * (public profiler listings: apache/mxnet#9774, pytorch/pytorch#54324,
 * pytorch/kineto's trace test data). Warp tiles and registers as cuBLAS's
 * (gpu.c). */
static const struct gpu_tile_shape CUDNN_TENSOR_TILES[] = {
    /* m, n, k, warp_m, warp_n, threads, registers */
    {256, 128, 32, 64, 64, 256, 232},
    {256, 64, 32, 64, 64, 128, 232},
    {128, 128, 32, 64, 64, 128, 232},
    {128, 64, 32, 64, 32, 128, 168},
};
static const struct gpu_tile_shape CUDNN_CUDA_CORE_TILES[] = {
    {128, 128, 8, 32, 64, 256, 128},
    {128, 64, 8, 32, 64, 128, 128},
    {128, 32, 8, 32, 32, 128, 64},
};
static const struct gpu_kernel_family CUDNN_TENSOR = {
    "cudnn_tensor", CUDNN_TENSOR_TILES, sizeof CUDNN_TENSOR_TILES / sizeof CUDNN_TENSOR_TILES[0],
    true};
static const struct gpu_kernel_family CUDNN_CUDA_CORES = {
    "cudnn_cuda_cores", CUDNN_CUDA_CORE_TILES,
    sizeof CUDNN_CUDA_CORE_TILES / sizeof CUDNN_CUDA_CORE_TILES[0], false};
/* The same tiles without split-K: the batched GEMMs inside Winograd and
 * FFT, and strided implicit GEMMs unless the stack's library has split-K
 * kernels for them (conv_desc.strided_split_k, from the stack's
 * kernels.strided_conv_split_k). That cuDNN's strided tensor-core kernels
 * do not split K is inferred from DeepBench's V100 rows (calibration data,
 * docs/validation.md): a strided 1x1 convolution takes the same time at
 * batch 8 and 16 (7x7 C=2048 K=512: 65 and 65 us; 14x14 C=1024 K=512: 39
 * and 39; 14x14 C=256 K=1024: 16 and 16), as a kernel whose few blocks each
 * walk all of C does, while the unit-stride rows of the same sizes, which a
 * split fills the SMs for, grow with it (26 and 38 us; 21 and 34). */
static const struct gpu_kernel_family CUDNN_TENSOR_NO_SPLIT = {
    "cudnn_tensor_no_split", CUDNN_TENSOR_TILES,
    sizeof CUDNN_TENSOR_TILES / sizeof CUDNN_TENSOR_TILES[0], false};

/* Channels per shared-memory stage of one filter tap on tensor cores. */
#define TENSOR_TAP_CHANNELS 32
/* Tensor cores take channels in multiples of this (8 fp16 = 16 bytes). */
#define TENSOR_CHANNEL_MULTIPLE 8
#define FFT_TILE 32
#define PARTIAL_SUM_BYTES 4
#define COMPLEX_FP32_BYTES 8
/* ASSUMED: IMPLICIT_PRECOMP_GEMM's table holds one 32-bit offset per step
 * of the GEMM's K (a tap and a channel; its layout is not public, and it is
 * a few KiB either way). */
#define OFFSET_BYTES 4
/* source: CUDA C++ Best Practices Guide, "Coalesced Access to Global
 * Memory": global memory is read in 32-byte segments (sectors). */
#define DRAM_SECTOR_BYTES 32

/* The sizes every algorithm works from. */
struct conv_work {
    const struct conv_desc *cd;
    uint64_t eb;             /* bytes per element */
    enum gpu_math math;      /* the implicit GEMM's pipe */
    uint64_t cg, kg;         /* channels and filters per group, padded for tensor cores */
    uint64_t pixels;         /* N P Q */
    uint64_t x_bytes, w_bytes, y_bytes;
    uint64_t x_gather_bytes; /* the DRAM sectors of x the filter taps touch */
    uint64_t layout_cycles;  /* NCHW <-> NHWC transforms around tensor-core kernels */
    uint64_t layout_bytes;
    uint64_t layout_kernels;
};

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return ceil_div(v, to) * to;
}

uint64_t gpu_winograd_multiplies(uint64_t m, uint64_t r)
{
    return (m + r - 1) * (m + r - 1);
}

/* Whether input line `i` (a row or a column of length `in`) is under some
 * filter tap of some output: i = o * stride + t * dilation - pad. */
static bool touched(uint64_t i, uint64_t out, uint64_t taps, uint64_t stride, uint64_t dilation,
                    uint64_t pad)
{
    for (uint64_t t = 0; t < taps; t++) {
        uint64_t at = i + pad, off = t * dilation;
        if (at >= off && (at - off) % stride == 0 && (at - off) / stride < out)
            return true;
    }
    return false;
}

/* Input rows the taps touch. */
static uint64_t touched_rows(const struct conv_desc *cd)
{
    uint64_t n = 0;
    for (uint64_t h = 0; h < cd->h; h++)
        n += touched(h, cd->p, cd->r, cd->stride_h, cd->dilation_h, cd->pad_h);
    return n;
}

/* Sectors of one input row (W columns of `unit` bytes, starting on a
 * sector) that hold a touched column. */
static uint64_t touched_row_sectors(const struct conv_desc *cd, uint64_t unit)
{
    uint64_t n = 0, last = UINT64_MAX;
    for (uint64_t w = 0; w < cd->w; w++) {
        if (!touched(w, cd->q, cd->s, cd->stride_w, cd->dilation_w, cd->pad_w))
            continue;
        for (uint64_t sec = w * unit / DRAM_SECTOR_BYTES; sec <= ((w + 1) * unit - 1) /
                                                                 DRAM_SECTOR_BYTES; sec++)
            if (sec != last) {
                n++;
                last = sec;
            }
    }
    return n;
}

/* What an implicit GEMM's gather reads of x: the 32-byte sectors holding an
 * input element some tap uses. A strided convolution whose filter is
 * narrower than its stride skips rows and columns: in NHWC (tensor cores)
 * whole pixels, in NCHW (the CUDA-core kernels) only rows, since the used
 * columns of a row share sectors with the skipped ones. */
static uint64_t gather_bytes(const struct conv_work *wk, bool nhwc)
{
    const struct conv_desc *cd = wk->cd;
    uint64_t planes = nhwc ? cd->n : cd->n * cd->c;
    uint64_t unit = nhwc ? wk->cg * cd->groups * wk->eb : wk->eb;
    uint64_t bytes = sat_mul(sat_mul(planes, touched_rows(cd)),
                             sat_mul(touched_row_sectors(cd, unit), DRAM_SECTOR_BYTES));
    uint64_t whole = cd->n * cd->h * cd->w * (nhwc ? wk->cg * cd->groups : cd->c) * wk->eb;
    return bytes < whole ? bytes : whole;
}

/* Layout transforms (and channel padding) when tensor cores read NCHW
 * tensors: x and w to NHWC padded to 8 channels, y back to NCHW, each a
 * kernel that reads and writes its tensor once. */
static void layout_transforms(const struct chip *c, struct conv_work *wk)
{
    const struct conv_desc *cd = wk->cd;
    uint64_t cpad = round_up(cd->c, TENSOR_CHANNEL_MULTIPLE);
    uint64_t kpad = round_up(cd->k, TENSOR_CHANNEL_MULTIPLE);
    uint64_t x2 = wk->x_bytes / cd->c * cpad, y2 = wk->y_bytes / cd->k * kpad;
    uint64_t w2 = wk->w_bytes / cd->c / cd->k * cpad * kpad;
    uint64_t moved[3] = {wk->x_bytes + x2, wk->w_bytes + w2, wk->y_bytes + y2};
    for (int i = 0; i < 3; i++) {
        wk->layout_cycles = sat_add(wk->layout_cycles,
                                    sat_add(c->gpu_launch_overhead_cycles,
                                            gpu_streaming_kernel_cycles(c, moved[i], 0)));
        wk->layout_bytes += moved[i];
    }
    wk->layout_kernels = 3;
}

static bool setup(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
                  struct conv_work *wk)
{
    *wk = (struct conv_work){0};
    wk->cd = cd;
    if (!cd->n || !cd->c || !cd->k || !cd->r || !cd->s || !cd->p || !cd->q || !cd->groups ||
        cd->c % cd->groups || cd->k % cd->groups || c->gpu_sms <= 0)
        return false;
    wk->eb = dtype == TPUSIM_DT_FLOAT32 ? 4 : 2;
    wk->cg = cd->c / cd->groups;
    wk->kg = cd->k / cd->groups;
    wk->pixels = cd->n * cd->p * cd->q;
    wk->x_bytes = cd->n * cd->c * cd->h * cd->w * wk->eb;
    wk->w_bytes = cd->k * wk->cg * cd->r * cd->s * wk->eb;
    wk->y_bytes = wk->pixels * cd->k * wk->eb;
    bool aligned = wk->cg % TENSOR_CHANNEL_MULTIPLE == 0 && wk->kg % TENSOR_CHANNEL_MULTIPLE == 0;
    wk->math = dtype == TPUSIM_DT_FLOAT32 ? GPU_MATH_FP32 : GPU_MATH_HALF2;
    /* NHWC tensors whose channels are not aligned stay on the CUDA cores. */
    if (dtype == TPUSIM_DT_FLOAT16 && (aligned || cd->nchw)) {
        wk->math = GPU_MATH_TENSOR;
        wk->cg = round_up(wk->cg, TENSOR_CHANNEL_MULTIPLE);
        wk->kg = round_up(wk->kg, TENSOR_CHANNEL_MULTIPLE);
        if (cd->nchw)
            layout_transforms(c, wk);
    }
    wk->x_gather_bytes = gather_bytes(wk, wk->math == GPU_MATH_TENSOR);
    return true;
}

/* Fills out from a total and the kernels that made it. */
static void finish(const struct chip *c, const struct conv_work *wk, const struct gpu_gemm_plan *pl,
                   enum gpu_math math, uint64_t cycles, uint64_t extra_bytes, uint64_t kernels,
                   enum conv_algo algo, struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    struct gpu_gemm_plan p = *pl;
    uint64_t macs = wk->pixels * cd->k * (cd->c / cd->groups) * cd->r * cd->s;
    /* The wave quantisation is the main kernel's; the rest is streaming. */
    p.total_cycles = sat_add(cycles, wk->layout_cycles);
    gpu_plan_timing(c, &p, math, macs, &out->mxu);
    out->extra_hbm_bytes = sat_add(extra_bytes, wk->layout_bytes);
    /* The implicit GEMMs and im2col gather x where the taps fall; the
     * transforms (layout, Winograd, FFT) read it whole. */
    bool gathers = algo == CONV_ALGO_IMPLICIT_GEMM || algo == CONV_ALGO_IMPLICIT_PRECOMP_GEMM ||
                   algo == CONV_ALGO_GEMM;
    if (gathers && !wk->layout_kernels && wk->x_gather_bytes < wk->x_bytes)
        out->x_skipped_bytes = wk->x_bytes - wk->x_gather_bytes;
    out->kernels = kernels + wk->layout_kernels;
    out->algo = algo;
}

/* A setup kernel cuDNN runs before a call's main kernel (the gather's
 * offset table, transformed filters): `kernel_bytes` through DRAM and `ops`
 * on the CUDA cores after a kernel boundary, writing `product_bytes` that
 * the main kernel reads. When an engine prepared it when it was built
 * (conv_desc.setup_prebuilt), only that read is left. */
static void add_setup_kernel(const struct chip *c, const struct conv_work *wk,
                             uint64_t kernel_bytes, uint64_t ops, uint64_t product_bytes,
                             uint64_t *cycles, uint64_t *extra_bytes, uint64_t *kernels)
{
    *extra_bytes = sat_add(*extra_bytes, product_bytes);
    if (wk->cd->setup_prebuilt)
        return;
    *cycles = sat_add(*cycles, sat_add(c->gpu_launch_overhead_cycles,
                                       gpu_streaming_kernel_cycles(c, kernel_bytes, ops)));
    *extra_bytes = sat_add(*extra_bytes, product_bytes);
    *kernels += 1;
}

static bool implicit_gemm(const struct chip *c, const struct conv_work *wk, enum conv_algo algo,
                          struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    bool tensor = wk->math == GPU_MATH_TENSOR;
    if (tensor && algo != CONV_ALGO_IMPLICIT_PRECOMP_GEMM)
        return false;
    /* NHWC on tensor cores: a stage is 32 channels of one tap. */
    uint64_t taps = cd->r * cd->s;
    uint64_t k = tensor ? taps * round_up(wk->cg, TENSOR_TAP_CHANNELS) : taps * wk->cg;
    struct gpu_gemm_problem p = {cd->groups, wk->pixels, k, wk->kg, wk->math, wk->eb, wk->eb,
                                 wk->x_gather_bytes + wk->w_bytes + wk->y_bytes, 0};
    bool no_split = (cd->stride_h > 1 || cd->stride_w > 1) && !cd->strided_split_k;
    const struct gpu_kernel_family *family =
        !tensor ? &CUDNN_CUDA_CORES : no_split ? &CUDNN_TENSOR_NO_SPLIT : &CUDNN_TENSOR;
    struct gpu_gemm_plan pl;
    if (!gpu_plan_kernel(c, family, &p, &pl))
        return false;
    uint64_t partials = pl.split_k > 1 ? 2 * pl.split_k * cd->groups * wk->pixels * wk->kg *
                                             PARTIAL_SUM_BYTES
                                       : 0;
    uint64_t cycles = pl.total_cycles, kernels = pl.split_k > 1 ? 2 : 1;
    if (algo == CONV_ALGO_IMPLICIT_PRECOMP_GEMM) {
        /* cuDNN's computeOffsetsKernel writes the gather's offset table
         * first, a kernel of its own before the GEMM, which reads it. */
        uint64_t table = k * OFFSET_BYTES;
        add_setup_kernel(c, wk, table, table, table, &cycles, &partials, &kernels);
    }
    finish(c, wk, &pl, wk->math, cycles, partials, kernels, algo, out);
    return true;
}

/* The input unrolled to a (N P Q) x (C R S) matrix in DRAM, then a GEMM. */
static bool explicit_gemm(const struct chip *c, const struct conv_work *wk,
                          struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    if (wk->math == GPU_MATH_TENSOR)
        return false;
    uint64_t cols = wk->pixels * cd->c * cd->r * cd->s * wk->eb;
    struct gpu_gemm_problem p = {cd->groups, wk->pixels, wk->cg * cd->r * cd->s, wk->kg,
                                 wk->math,   wk->eb,     wk->eb, cols + wk->w_bytes + wk->y_bytes,
                                 0};
    struct gpu_gemm_plan pl;
    if (!gpu_plan_kernel(c, &GPU_CUBLAS_CUDA_CORES_NO_SPLIT, &p, &pl))
        return false;
    uint64_t im2col = sat_add(c->gpu_launch_overhead_cycles,
                              gpu_streaming_kernel_cycles(c, wk->x_gather_bytes + cols, 0));
    finish(c, wk, &pl, wk->math, sat_add(im2col, pl.total_cycles), 2 * cols, 2, CONV_ALGO_GEMM,
           out);
    return true;
}

static bool unit_stride_square(const struct conv_desc *cd, uint64_t r)
{
    return cd->r == r && cd->s == r && cd->stride_h == 1 && cd->stride_w == 1 &&
           cd->dilation_h == 1 && cd->dilation_w == 1 && cd->groups == 1;
}

/* Element operations of the Winograd transforms, per tile and channel,
 * counted from the non-zeros of Lavin and Gray's matrices: F(2x2, 3x3):
 * B^T d B 32 additions, A^T m A 24; F(4x4, 3x3) (6x6 tiles): B^T has 22
 * non-zeros, so 2 x 22 x 6 = 264 for the input; A^T 18, so 18 x 6 + 18 x 4
 * = 180 for the output; G 14, so 14 x 3 + 6 x 14 = 126 per filter. The 6x6
 * F(2x2, 5x5) transforms are counted as F(4x4, 3x3)'s. */
struct winograd_ops {
    uint64_t input, output, filter;
};

static struct winograd_ops winograd_ops(uint64_t alpha)
{
    return alpha == 4 ? (struct winograd_ops){32, 24, 28} : (struct winograd_ops){264, 180, 126};
}

/* Fused F(2x2, 3x3), as cuDNN runs it: first a kernel that transforms the
 * filters (cudnn::winograd::generateWinogradTilesKernel: G g G^T, 16
 * values per 3x3 filter, written to DRAM), then one kernel of 16 batched
 * GEMMs of (tiles x C) x (C x K) whose results never leave it: each block
 * transforms its input tiles itself, once per block of filters, on the CUDA
 * cores. Public nvprof listings show the pair on every WINOGRAD
 * convolution (volta_scudnn_winograd_128x128_ldg1_ldg4_relu_tile148t_nt_v1
 * beside it; how its 128x128 maps onto tiles, filters and planes is not
 * public, so the GEMM takes cuDNN's CUDA-core tiles). */
static bool winograd_fused(const struct chip *c, const struct conv_work *wk,
                           struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    if (wk->math == GPU_MATH_TENSOR || !unit_stride_square(cd, 3))
        return false;
    uint64_t tiles = cd->n * ceil_div(cd->p, 2) * ceil_div(cd->q, 2);
    uint64_t planes = gpu_winograd_multiplies(2, 3);
    uint64_t wt = planes * cd->c * cd->k * wk->eb;
    /* Four outputs per 16 products leave the kernel. */
    struct gpu_gemm_problem p = {planes, tiles, cd->c, cd->k, wk->math, wk->eb,
                                 ceil_div(wk->eb, 4), wk->x_bytes + wt + wk->y_bytes, 0};
    struct gpu_gemm_plan pl;
    if (!gpu_plan_kernel(c, &CUDNN_CUDA_CORES, &p, &pl))
        return false;
    struct winograd_ops ops = winograd_ops(4);
    uint64_t transform = tiles * cd->c * ops.input * ceil_div(cd->k, pl.tile.n) +
                         tiles * cd->k * ops.output;
    uint64_t alu = ceil_cycles((double)transform /
                               ((double)c->gpu_sms * c->gpu_fp32_cores_per_sm));
    uint64_t t = sat_add(pl.total_cycles, alu), extra = 0, kernels = 1;
    add_setup_kernel(c, wk, wk->w_bytes + wt, cd->c * cd->k * ops.filter, wt, &t, &extra,
                     &kernels);
    finish(c, wk, &pl, wk->math, t, extra, kernels, CONV_ALGO_WINOGRAD, out);
    return true;
}

/* Non-fused 6x6 Winograd: F(4x4, 3x3) or F(2x2, 5x5). Four kernels: the
 * input and filter transforms write their 36 planes to DRAM, 36 batched
 * GEMMs read them and write 36 output planes, the output transform reads
 * those and writes y. */
static bool winograd_nonfused(const struct chip *c, const struct conv_work *wk,
                              struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    uint64_t m = unit_stride_square(cd, 3) ? 4 : unit_stride_square(cd, 5) ? 2 : 0;
    if (!m)
        return false;
    uint64_t alpha = m + cd->r - 1, planes = alpha * alpha, eb = wk->eb;
    uint64_t tiles = cd->n * ceil_div(cd->p, m) * ceil_div(cd->q, m);
    uint64_t cc = wk->cg, kk = wk->kg;
    uint64_t xt = planes * cc * tiles * eb, wt = planes * cc * kk * eb, yt = planes * kk * tiles * eb;
    struct winograd_ops ops = winograd_ops(alpha);
    struct gpu_gemm_problem p = {planes, tiles, cc, kk, wk->math, eb, eb, xt + wt + yt, 0};
    struct gpu_gemm_plan pl;
    if (!gpu_plan_kernel(c, wk->math == GPU_MATH_TENSOR ? &CUDNN_TENSOR_NO_SPLIT
                                                        : &GPU_CUBLAS_CUDA_CORES_NO_SPLIT,
                         &p, &pl))
        return false;
    uint64_t t = pl.total_cycles, extra = 2 * (xt + yt), kernels = 3;
    t = sat_add(t, gpu_streaming_kernel_cycles(c, wk->x_bytes + xt, tiles * cc * ops.input));
    t = sat_add(t, gpu_streaming_kernel_cycles(c, yt + wk->y_bytes, tiles * kk * ops.output));
    t = sat_add(t, 2 * c->gpu_launch_overhead_cycles);
    add_setup_kernel(c, wk, wk->w_bytes + wt, cc * kk * ops.filter, wt, &t, &extra, &kernels);
    finish(c, wk, &pl, wk->math, t, extra, kernels, CONV_ALGO_WINOGRAD_NONFUSED, out);
    return true;
}

/* FFT_TILING: 32x32 input tiles, each giving (33 - R) x (33 - S) outputs;
 * real FFTs keep 32 x 17 complex frequencies. Per frequency, a complex
 * GEMM (tiles x C) x (C x K), four real FMAs per complex one, on CUDA
 * cores. A 32x32 real FFT costs about 2.5 N log2 N = 25600 operations. */
static bool fft_tiling(const struct chip *c, const struct conv_work *wk, struct conv_timing *out)
{
    const struct conv_desc *cd = wk->cd;
    if (wk->math != GPU_MATH_FP32 || cd->stride_h != 1 || cd->stride_w != 1 ||
        cd->dilation_h != 1 || cd->dilation_w != 1 || cd->groups != 1 || cd->r < 2 ||
        cd->s < 2 || cd->r > FFT_TILE || cd->s > FFT_TILE)
        return false;
    const uint64_t freqs = FFT_TILE * (FFT_TILE / 2 + 1), fft_ops = 25600;
    uint64_t tiles = cd->n * ceil_div(cd->p, FFT_TILE + 1 - cd->r) *
                     ceil_div(cd->q, FFT_TILE + 1 - cd->s);
    uint64_t xf = tiles * cd->c * freqs * COMPLEX_FP32_BYTES;
    uint64_t wf = cd->k * cd->c * freqs * COMPLEX_FP32_BYTES;
    uint64_t yf = tiles * cd->k * freqs * COMPLEX_FP32_BYTES;
    /* A complex (T x C) x (C x K) product as a real (T x 2C) x (2C x 2K) one. */
    struct gpu_gemm_problem p = {freqs, tiles, 2 * cd->c, 2 * cd->k, GPU_MATH_FP32, 4, 4,
                                 xf + wf + yf, 0};
    struct gpu_gemm_plan pl;
    if (!gpu_plan_kernel(c, &GPU_CUBLAS_CUDA_CORES_NO_SPLIT, &p, &pl))
        return false;
    uint64_t t = pl.total_cycles;
    t = sat_add(t, gpu_streaming_kernel_cycles(c, wk->x_bytes + xf, tiles * cd->c * fft_ops));
    t = sat_add(t, gpu_streaming_kernel_cycles(c, wk->w_bytes + wf, cd->k * cd->c * fft_ops));
    t = sat_add(t, gpu_streaming_kernel_cycles(c, yf + wk->y_bytes, tiles * cd->k * fft_ops));
    t = sat_add(t, 3 * c->gpu_launch_overhead_cycles);
    finish(c, wk, &pl, GPU_MATH_FP32, t, 2 * (xf + wf + yf), 4, CONV_ALGO_FFT_TILING, out);
    return true;
}

/* One algorithm on the sizes setup() worked out. */
static bool run_algo(const struct chip *c, const struct conv_work *wk, enum conv_algo algo,
                     struct conv_timing *out)
{
    *out = (struct conv_timing){0};
    switch (algo) {
    case CONV_ALGO_IMPLICIT_GEMM:
    case CONV_ALGO_IMPLICIT_PRECOMP_GEMM: return implicit_gemm(c, wk, algo, out);
    case CONV_ALGO_GEMM: return explicit_gemm(c, wk, out);
    case CONV_ALGO_WINOGRAD: return winograd_fused(c, wk, out);
    case CONV_ALGO_WINOGRAD_NONFUSED: return winograd_nonfused(c, wk, out);
    case CONV_ALGO_FFT_TILING: return fft_tiling(c, wk, out);
    case CONV_ALGO_COUNT: break;
    }
    return false;
}

bool gpu_conv_algo(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
                   enum conv_algo algo, struct conv_timing *out)
{
    struct conv_work wk;
    *out = (struct conv_timing){0};
    return setup(c, dtype, cd, &wk) && run_algo(c, &wk, algo, out);
}

void gpu_conv(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
              struct conv_timing *out)
{
    struct conv_work wk;
    *out = (struct conv_timing){0};
    if (!setup(c, dtype, cd, &wk))
        return;
    /* An algorithm asked for by name runs where cuDNN has it for this
     * convolution; elsewhere, and under `find`, the fastest. */
    if (c->gpu_conv_algorithm < CONV_ALGO_COUNT &&
        run_algo(c, &wk, (enum conv_algo)c->gpu_conv_algorithm, out))
        return;
    bool found = false;
    for (int a = 0; a < CONV_ALGO_COUNT; a++) {
        struct conv_timing t;
        if (run_algo(c, &wk, (enum conv_algo)a, &t) &&
            (!found || t.mxu.total_cycles < out->mxu.total_cycles)) {
            *out = t;
            found = true;
        }
    }
}
