# Sourced by run.sh: `make install` into a scratch prefix, then build and
# run a small program against the installed copy through pkg-config.
if [ -n "${TPUSIM_SKIP_INSTALL:-}" ]; then return 0 2>/dev/null || true; fi
if env -u MAKEFLAGS -u MFLAGS make -s -C "$root" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1; then
    pass
else
    fail "make install: $(tail -n 5 "$tmp/install.log")"
fi
# The installed tpusim finds its chips and stacks under PREFIX/share/tpusim/models.
if env -u TPUSIM_MODELS_DIR "$tmp/prefix/bin/tpusim" stacks --dump tflite-edgetpu >"$tmp/inst.out" \
    2>&1 && grep -q "share/tpusim/models/stacks/tflite-edgetpu.ini" "$tmp/inst.out"; then
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
    tpusim_totals t;
    if (tpusim_graph_new(&g) || tpusim_graph_build_builtin(g, "demo-cnn") ||
        tpusim_graph_totals(g, &t))
        return 1;
    printf("%s %llu\n", tpusim_version(), (unsigned long long)t.macs);
    tpusim_graph_close(g);
    return 0;
}
CEOF
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
if cc -o "$tmp/hello" "$tmp/hello.c" $(pkg-config --cflags --libs tpusim) 2>"$tmp/cc.log" &&
    LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/hello" >"$tmp/hello.out" &&
    grep -q " 200705280$" "$tmp/hello.out"; then
    pass
else
    fail "program built with pkg-config tpusim: $(cat "$tmp/cc.log" "$tmp/hello.out" 2>/dev/null | head -c 300)"
fi
unset PKG_CONFIG_PATH
