# Sourced by run.sh: `make install` into a scratch prefix (built in
# build-install/, so that build/ keeps its own prefix), then, from a folder
# outside the tree with no TPUSIM_MODELS_DIR and no LD_LIBRARY_PATH: the
# installed tpusim finds its chips and stacks; a C program built with
# pkg-config runs (rpath) and the library finds chips and stacks under
# PREFIX/share/tpusim/models; the Python package installs offline into a
# fresh venv and `python -m tpusim run` works.
if [ -n "${TPUSIM_SKIP_INSTALL:-}" ]; then return 0 2>/dev/null || true; fi
prefix="$tmp/prefix"
if env -u MAKEFLAGS -u MFLAGS make -s -C "$root" install PREFIX="$prefix" BUILD=build-install \
    >"$tmp/install.log" 2>&1; then
    pass
else
    fail "make install: $(tail -n 5 "$tmp/install.log")"
fi
away="$tmp/elsewhere"
mkdir -p "$away"
# shellcheck disable=SC2164
cd "$away"
if env -u TPUSIM_MODELS_DIR -u LD_LIBRARY_PATH "$prefix/bin/tpusim" stacks --dump tflite-edgetpu \
    >"$tmp/inst.out" 2>&1 && grep -q "($prefix/.*share/tpusim/models/stacks/tflite-edgetpu.ini)" "$tmp/inst.out"; then
    pass
else
    fail "installed tpusim stacks: $(head -c 300 "$tmp/inst.out")"
fi
cat >"$tmp/hello.c" <<'CEOF'
#include <stdio.h>
#include <tpusim.h>
int main(void)
{
    tpusim_graph *g = NULL;
    tpusim_context *ctx = NULL;
    tpusim_chip *chip = NULL;
    tpusim_stack *stack = NULL;
    tpusim_result *res = NULL;
    tpusim_summary sum;
    tpusim_totals t;
    if (tpusim_graph_new(&g) || tpusim_graph_build_builtin(g, "demo-cnn") ||
        tpusim_graph_totals(g, &t) || tpusim_context_open(0, &ctx))
        return 1;
    /* models_dir NULL: the installed folder, from PREFIX at build time */
    if (tpusim_chip_open(ctx, "edgetpu", NULL, NULL, 0, &chip) ||
        tpusim_stack_open(ctx, "tensorrt", NULL, NULL, 0, &stack) ||
        tpusim_result_new(&res) || tpusim_graph_query(ctx, g, chip, NULL, res) ||
        tpusim_result_summary(res, &sum)) {
        fprintf(stderr, "%s\n", tpusim_errmsg(ctx));
        return 1;
    }
    printf("%s %llu %s %s\n", tpusim_version(), (unsigned long long)t.macs,
           tpusim_installed_models_dir(), sum.seconds > 0 ? "latency" : "none");
    tpusim_result_close(res);
    tpusim_stack_close(stack);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
    tpusim_graph_close(g);
    return 0;
}
CEOF
# shellcheck disable=SC2046
if PKG_CONFIG_PATH="$prefix/lib/pkgconfig" cc -o "$tmp/hello" "$tmp/hello.c" \
    $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs tpusim) 2>"$tmp/cc.log" &&
    env -u TPUSIM_MODELS_DIR -u LD_LIBRARY_PATH "$tmp/hello" >"$tmp/hello.out" 2>>"$tmp/cc.log" &&
    grep -q " 200705280 $prefix/share/tpusim/models latency$" "$tmp/hello.out"; then
    pass
else
    fail "program built with pkg-config tpusim: $(cat "$tmp/cc.log" "$tmp/hello.out" 2>/dev/null | head -c 400)"
fi
if $PY -m venv "$tmp/venv" >"$tmp/venv.log" 2>&1 &&
    "$tmp/venv/bin/pip" install --no-index "$root/python" >>"$tmp/venv.log" 2>&1 &&
    env -u TPUSIM_MODELS_DIR -u TPUSIM_LIB -u PYTHONPATH PATH="$prefix/bin:$PATH" \
        "$tmp/venv/bin/python" -m tpusim run builtin:demo-cnn --chip tpu_v3 >"$tmp/py.out" 2>&1 &&
    grep -q "builtin:demo-cnn on tpu_v3 under xla: [0-9]* cycles" "$tmp/py.out"; then
    pass
else
    fail "python -m tpusim from a venv: $(tail -c 400 "$tmp/venv.log" "$tmp/py.out" 2>/dev/null)"
fi
# shellcheck disable=SC2164
cd "$root"
