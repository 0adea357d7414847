/*
 * cli_inspect.c — `tpusim inspect`: one row per op with its shapes, MACs,
 * parameters and bytes, and the model's totals; text, CSV or JSON.
 */
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: tpusim inspect [MODEL.onnx | MODEL.tflite | builtin:NAME] [options]\n"
          "\n"
          "Reads a model, infers every tensor's shape, and prints one row per op\n"
          "(name, type, input and output shapes, MACs, parameters, bytes) and totals.\n"
          "With no model, inspects the built-in demo-cnn.\n"
          "\n"
          "options:\n"
          "  --batch N          set dimension 0 of every data input (symbolic or 1) to N\n"
          "  --dim NAME=VALUE   bind a symbolic input dimension (repeatable);\n"
          "                     NAME may be INPUT:AXIS for a dimension with no name,\n"
          "                     NODE.trip_count for the trip count of an ONNX Loop\n"
          "  --twin FILE        an Edge TPU-compiled .tflite's source model: which ops the\n"
          "                     compiler mapped, against tpusim's placement (default:\n"
          "                     NAME.tflite beside NAME_edgetpu.tflite)\n"
          "  --format FMT       text (default), csv or json\n"
          "  -h, --help         this help\n"
          "\n"
          "MACs count multiply-accumulates as papers do (ResNet-50: 4.1 G).\n"
          "FLOPs = 2 x MACs for matrix ops + 1 per output element of vector ops.\n",
          f);
}

static void shape_text(const tpusim_tensor_info *t, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < t->rank && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%lld", i ? "," : "",
                                (long long)t->dims[i]);
    if (off < len)
        snprintf(buf + off, len - off, "]");
}

/* Shapes of an op's data inputs (constants left out) or outputs, joined. */
static void op_shapes(const tpusim_graph *g, size_t op, int output, int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int k = 0; k < n && off < len; k++) {
        tpusim_tensor_info t;
        if (tpusim_graph_op_tensor(g, op, output, k, &t) || (!output && t.is_constant))
            continue;
        char s[160];
        shape_text(&t, s, sizeof s);
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", s);
    }
}

static void human(uint64_t v, char *buf, size_t len)
{
    if (v >= 1000000000ULL)
        snprintf(buf, len, "%.2f G", (double)v / 1e9);
    else if (v >= 1000000ULL)
        snprintf(buf, len, "%.2f M", (double)v / 1e6);
    else if (v >= 1000ULL)
        snprintf(buf, len, "%.1f k", (double)v / 1e3);
    else
        snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void print_text(const tpusim_graph *g, const char *model)
{
    size_t n = tpusim_graph_op_count(g);
    printf("%s: %zu ops\n\n", model, n);
    printf("%4s  %-32s %-18s %-24s %-18s %12s %10s %12s\n", "#", "name", "type", "input",
           "output", "MACs", "params", "bytes");
    for (size_t i = 0; i < n; i++) {
        tpusim_op_info op;
        tpusim_graph_op(g, i, &op);
        char in[256], out[256];
        op_shapes(g, i, 0, op.n_inputs, in, sizeof in);
        op_shapes(g, i, 1, op.n_outputs, out, sizeof out);
        char name[128];
        printf("%4zu  %-32s %-18.18s %-24s %-18s %12llu %10llu %12llu\n", i,
               cli_fit_name(op.name, 32, name, sizeof name), op.type,
               in, out, (unsigned long long)op.macs, (unsigned long long)op.params,
               (unsigned long long)(op.bytes_in + op.bytes_weights + op.bytes_out));
    }
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    char macs[32], flops[32], params[32], bytes[32];
    human(t.macs, macs, sizeof macs);
    human(t.flops, flops, sizeof flops);
    human(t.params, params, sizeof params);
    human(t.bytes, bytes, sizeof bytes);
    printf("\ntotal: %llu ops, %sMACs, %sFLOPs, %s params, %sB moved\n",
           (unsigned long long)t.ops, macs, flops, params, bytes);
}

static void print_csv(const tpusim_graph *g)
{
    puts("index,name,type,inputs,outputs,macs,flops,params,bytes_in,bytes_weights,bytes_out");
    for (size_t i = 0; i < tpusim_graph_op_count(g); i++) {
        tpusim_op_info op;
        tpusim_graph_op(g, i, &op);
        char in[512], out[512];
        op_shapes(g, i, 0, op.n_inputs, in, sizeof in);
        op_shapes(g, i, 1, op.n_outputs, out, sizeof out);
        printf("%zu,", i);
        csv_field(stdout, op.name);
        putchar(',');
        csv_field(stdout, op.type);
        putchar(',');
        csv_field(stdout, in);
        putchar(',');
        csv_field(stdout, out);
        printf(",%llu,%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)op.macs,
               (unsigned long long)op.flops, (unsigned long long)op.params,
               (unsigned long long)op.bytes_in, (unsigned long long)op.bytes_weights,
               (unsigned long long)op.bytes_out);
    }
}

static void json_tensors(const tpusim_graph *g, size_t op, int output, int n)
{
    putchar('[');
    int first = 1;
    for (int k = 0; k < n; k++) {
        tpusim_tensor_info t;
        if (tpusim_graph_op_tensor(g, op, output, k, &t))
            continue;
        printf("%s{\"name\": ", first ? "" : ", ");
        json_string(stdout, t.name);
        printf(", \"dtype\": \"%s\", \"constant\": %s, \"shape\": [", tpusim_dtype_name(t.dtype),
               t.is_constant ? "true" : "false");
        for (int r = 0; r < t.rank; r++)
            printf("%s%lld", r ? ", " : "", (long long)t.dims[r]);
        printf("]}");
        first = 0;
    }
    putchar(']');
}

static void print_json(const tpusim_graph *g, const char *model, int64_t batch)
{
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    printf("{\n  \"tpusim_version\": \"%s\",\n  \"model\": ", tpusim_version());
    json_string(stdout, model);
    printf(",\n  \"batch\": %lld,\n", (long long)batch);
    printf("  \"totals\": {\"ops\": %llu, \"macs\": %llu, \"flops\": %llu, \"params\": %llu, "
           "\"bytes\": %llu},\n  \"ops\": [",
           (unsigned long long)t.ops, (unsigned long long)t.macs, (unsigned long long)t.flops,
           (unsigned long long)t.params, (unsigned long long)t.bytes);
    for (size_t i = 0; i < tpusim_graph_op_count(g); i++) {
        tpusim_op_info op;
        tpusim_graph_op(g, i, &op);
        printf("%s\n    {\"name\": ", i ? "," : "");
        json_string(stdout, op.name);
        printf(", \"type\": ");
        json_string(stdout, op.type);
        printf(", \"macs\": %llu, \"flops\": %llu, \"params\": %llu, \"bytes_in\": %llu, "
               "\"bytes_weights\": %llu, \"bytes_out\": %llu,\n     \"inputs\": ",
               (unsigned long long)op.macs, (unsigned long long)op.flops,
               (unsigned long long)op.params, (unsigned long long)op.bytes_in,
               (unsigned long long)op.bytes_weights, (unsigned long long)op.bytes_out);
        json_tensors(g, i, 0, op.n_inputs);
        printf(",\n     \"outputs\": ");
        json_tensors(g, i, 1, op.n_outputs);
        putchar('}');
    }
    printf("\n  ]\n}\n");
}

static int inspect_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    return cli_model_option(a->cmd, argc, argv, i, a->model);
}

int cmd_inspect(int argc, char **argv)
{
    struct model_opts o;
    memset(&o, 0, sizeof o);
    const struct cli_args args = {.cmd = "inspect",
                                  .usage = usage,
                                  .option = inspect_option,
                                  .positional = cli_one_model,
                                  .model = &o};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    tpusim_graph *g = cli_open_model(&o, true);
    if (!g)
        return 1;
    const char *model = cli_model_name(&o);
    if (o.format == FMT_JSON)
        print_json(g, model, o.batch);
    else if (o.format == FMT_CSV)
        print_csv(g);
    else
        print_text(g, model);
    tpusim_graph_close(g);
    return 0;
}
