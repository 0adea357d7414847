/* latency.c — an ONNX file and a builder-made network on three chips. */
#include <stdio.h>
#include <tpusim.h>
int main(int argc, char **argv)
{
    const char *chips[] = {"tpu_v3", "tpu_v4i", "edgetpu"};
    tpusim_context *ctx;  tpusim_graph *onnx, *built;  tpusim_result *res;
    if (argc < 2 || tpusim_context_open(0, &ctx) || tpusim_result_new(&res)) return 2;
    tpusim_graph_new(&onnx);  tpusim_graph_new(&built);
    if (tpusim_graph_load_onnx_file(onnx, argv[1])) { puts(tpusim_graph_errmsg(onnx)); return 1; }
    tpusim_graph_add_input(built, "x", TPUSIM_DT_FLOAT32, 4, (int64_t[]){1, 3, 224, 224});
    tpusim_graph_add_conv2d(built, "conv1", "x", "y", 64, 7, 2, 3, 1);
    tpusim_graph_add_op(built, "Relu", "relu1", (const char *[]){"y"}, 1, (const char *[]){"z"}, 1);
    if (tpusim_graph_finalize(built)) { puts(tpusim_graph_errmsg(built)); return 1; }
    for (int i = 0; i < 3; i++) {
        tpusim_chip *chip;
        if (tpusim_chip_open(ctx, chips[i], argc > 2 ? argv[2] : NULL, NULL, 0, &chip) ||
            tpusim_graph_query(ctx, onnx, chip, NULL, res)) { puts(tpusim_errmsg(ctx)); return 1; }
        printf("%-8s onnx %9.1f us %9.1f uJ %6.2f W", chips[i], tpusim_result_seconds(res) * 1e6,
               tpusim_result_energy_uj(res), tpusim_result_avg_power_w(res));
        if (tpusim_graph_query(ctx, built, chip, NULL, res)) { puts(tpusim_errmsg(ctx)); return 1; }
        printf("   builder %8.1f us\n", tpusim_result_seconds(res) * 1e6);
        tpusim_chip_close(chip);
    }
    tpusim_graph_close(onnx);  tpusim_graph_close(built);
    tpusim_result_close(res);  tpusim_context_close(ctx);
    return 0;
}
