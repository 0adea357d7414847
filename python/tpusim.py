"""tpusim: a thin ctypes binding over libtpusim.so, the tpusim latency oracle.

    import tpusim
    chip = tpusim.Chip("tpu_v4i", overrides={"hbm.bandwidth_gbps": 1800})
    r = chip.latency("model.onnx")            # or ONNX bytes, a Graph, a Net
    print(r["seconds"], r["ops"][0])
    v100 = tpusim.Chip("gpu_v100")            # runs under its default stack, tensorrt
    v100.latency("model.onnx", stack="pytorch-eager")   # or a tpusim.Stack

Results are dicts; errors raise tpusim.Error carrying the library's message.
A Chip may be shared by threads; each thread queries through its own
context (cache and scratch), made on first use. The library is found at
$TPUSIM_LIB, else ../build/libtpusim.so beside this file (a source tree),
else PREFIX/lib/libtpusim.so beside the `tpusim` program on PATH (what
`make install PREFIX=P` gives), else by the linker's search. The library
finds its installed chips itself. See docs/api.md.

    python -m tpusim run MODEL [--chip NAME] [--stack NAME] [--set S.K=V]... [--batch N]
"""
import argparse
import ctypes
import ctypes.util
import os
import shutil
import sys
import threading

__all__ = ["Chip", "Stack", "Graph", "Net", "Error", "version", "CAUSES", "ENERGY_PARTS"]


def _installed_lib():
    """PREFIX/lib/libtpusim.so of the tpusim program on PATH, or None."""
    exe = shutil.which("tpusim")
    if not exe:
        return None
    return os.path.join(os.path.dirname(os.path.realpath(exe)), "..", "lib", "libtpusim.so")


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (os.environ.get("TPUSIM_LIB"),
                 os.path.join(here, "..", "build", "libtpusim.so"),
                 _installed_lib(),
                 ctypes.util.find_library("tpusim")):
        if path and (os.path.exists(path) or not os.path.isabs(path)):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    raise ImportError("tpusim: libtpusim.so not found (build it with `make`, or set TPUSIM_LIB)")


_lib = _load()
_P, _u64, _i64, _int, _dbl, _str = (ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64,
                                    ctypes.c_int, ctypes.c_double, ctypes.c_char_p)

CAUSES = ("mxu", "vpu", "hbm", "host_link", "sram_capacity", "fill_drain", "weight_load",
          "launch", "wave_quantisation")
_NC = len(CAUSES)
ENERGY_PARTS = ("mxu", "vpu", "sram", "hbm", "host_link", "static")
_NE = len(ENERGY_PARTS)
_DTYPES = {"float32": 1, "fp32": 1, "int8": 3, "uint8": 2, "float16": 10, "fp16": 10,
           "bfloat16": 16, "bf16": 16}
_KINDS = {"conv": 1, "dw_ibn": 2, "fused_ibn": 3, "gc_ibn": 4, "head": 5}
_ACTS = {"relu": 1, "swish": 2}
EXACT, PER_OP = 1, 2


class _Summary(ctypes.Structure):
    _fields_ = [("cycles", _u64), ("seconds", _dbl), ("ops", _u64), ("flops", _u64),
                ("macs", _u64), ("hbm_bytes", _u64), ("host_bytes", _u64),
                ("mac_slots", _u64), ("useful_macs", _u64), ("param_bytes", _u64),
                ("params_on_chip_bytes", _u64), ("stall_cycles", _u64 * _NC),
                ("dtype", _int), ("cache_hits", _u64), ("cache_misses", _u64),
                ("invocation_cycles", _u64), ("energy_uj", _dbl), ("avg_power_w", _dbl),
                ("energy_uj_by_part", _dbl * _NE)]


class _OpRow(ctypes.Structure):
    _fields_ = [("name", _str), ("type", _str), ("fused_into", _i64), ("start_cycle", _u64),
                ("cycles", _u64), ("flops", _u64), ("macs", _u64), ("hbm_bytes", _u64),
                ("host_bytes", _u64), ("mac_slots", _u64), ("useful_macs", _u64),
                ("bound", _int), ("stall_cycles", _u64 * _NC), ("energy_uj", _dbl)]


_ENGINES = {"fast": 0, "event": 1}


class _Options(ctypes.Structure):
    _fields_ = [("dtype", _int), ("no_fusion", _int), ("framework_overhead_us", _dbl),
                ("flags", ctypes.c_uint), ("stack", _P), ("engine", _int)]


class _ChipInfo(ctypes.Structure):
    _fields_ = [("name", _str), ("clock_hz", _dbl), ("cores", _int),
                ("peak_flops_per_s", _dbl), ("default_dtype", _int), ("default_stack", _str),
                ("tdp_w", _dbl), ("static_w", _dbl)]


class _Totals(ctypes.Structure):
    _fields_ = [(f, _u64) for f in ("ops", "macs", "flops", "params", "bytes")]


class _OpInfo(ctypes.Structure):
    _fields_ = [("name", _str), ("type", _str), ("n_inputs", _int), ("n_outputs", _int)] + \
        [(f, _u64) for f in ("macs", "flops", "params", "bytes_in", "bytes_weights", "bytes_out")]


class _CacheStats(ctypes.Structure):
    _fields_ = [(f, _u64) for f in ("hits", "misses", "entries", "bytes", "limit_bytes",
                                    "flushes")]


class _Block(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int32) for f in ("kind", "out_channels", "kernel", "stride",
                                              "expand", "groups", "act", "se", "classes")]


def _sig(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


_PP, _R = ctypes.POINTER(_P), ctypes.byref
_f = {n: _sig(n, *s) for n, s in {
    "tpusim_version": (_str,),
    "tpusim_status_name": (_str, _int),
    "tpusim_context_open": (_int, ctypes.c_size_t, _PP),
    "tpusim_context_close": (None, _P),
    "tpusim_errmsg": (_str, _P),
    "tpusim_cache_stats_get": (_int, _P, ctypes.POINTER(_CacheStats)),
    "tpusim_chip_open": (_int, _P, _str, _str, ctypes.POINTER(_str), _int, _PP),
    "tpusim_chip_close": (None, _P),
    "tpusim_chip_info_get": (_int, _P, ctypes.POINTER(_ChipInfo)),
    "tpusim_stack_open": (_int, _P, _str, _str, ctypes.POINTER(_str), _int, _PP),
    "tpusim_stack_close": (None, _P),
    "tpusim_stack_name": (_str, _P),
    "tpusim_result_new": (_int, _PP),
    "tpusim_result_close": (None, _P),
    "tpusim_result_summary": (_int, _P, ctypes.POINTER(_Summary)),
    "tpusim_result_op_count": (ctypes.c_size_t, _P),
    "tpusim_result_op": (_int, _P, ctypes.c_size_t, ctypes.POINTER(_OpRow)),
    "tpusim_graph_query": (_int, _P, _P, _P, ctypes.POINTER(_Options), _P),
    "tpusim_net_query": (_int, _P, _P, _P, ctypes.POINTER(_Options), _P),
    "tpusim_graph_new": (_int, _PP),
    "tpusim_graph_close": (None, _P),
    "tpusim_graph_errmsg": (_str, _P),
    "tpusim_graph_set_batch": (_int, _P, _i64),
    "tpusim_graph_bind_dim": (_int, _P, _str, _i64),
    "tpusim_graph_load_onnx_file": (_int, _P, _str),
    "tpusim_graph_load_onnx_buffer": (_int, _P, ctypes.c_char_p, ctypes.c_size_t, _str),
    "tpusim_graph_load_tflite_buffer": (_int, _P, ctypes.c_char_p, ctypes.c_size_t, _str),
    "tpusim_graph_load_file": (_int, _P, _str),
    "tpusim_graph_notes": (_str, _P),
    "tpusim_graph_build_builtin": (_int, _P, _str),
    "tpusim_graph_add_input": (_int, _P, _str, _int, _int, ctypes.POINTER(_i64)),
    "tpusim_graph_add_weight": (_int, _P, _str, _int, _int, ctypes.POINTER(_i64)),
    "tpusim_graph_add_op": (_int, _P, _str, _str, ctypes.POINTER(_str), _int,
                            ctypes.POINTER(_str), _int),
    "tpusim_graph_set_attr_int": (_int, _P, _str, _i64),
    "tpusim_graph_set_attr_float": (_int, _P, _str, _dbl),
    "tpusim_graph_set_attr_ints": (_int, _P, _str, ctypes.POINTER(_i64), ctypes.c_size_t),
    "tpusim_graph_set_attr_string": (_int, _P, _str, _str),
    "tpusim_graph_mark_output": (_int, _P, _str),
    "tpusim_graph_add_conv2d": (_int, _P, _str, _str, _str, _i64, _i64, _i64, _i64, _i64),
    "tpusim_graph_add_dense": (_int, _P, _str, _str, _str, _i64),
    "tpusim_graph_finalize": (_int, _P),
    "tpusim_graph_op_count": (ctypes.c_size_t, _P),
    "tpusim_graph_op": (_int, _P, ctypes.c_size_t, ctypes.POINTER(_OpInfo)),
    "tpusim_graph_totals": (_int, _P, ctypes.POINTER(_Totals)),
    "tpusim_net_new": (_int, _PP),
    "tpusim_net_close": (None, _P),
    "tpusim_net_errmsg": (_str, _P),
    "tpusim_net_reset": (_int, _P, _i64, _i64, _i64, _i64),
    "tpusim_net_add": (_int, _P, ctypes.POINTER(_Block)),
    "tpusim_net_totals": (_int, _P, ctypes.POINTER(_Totals)),
}.items()}


class Error(Exception):
    """A failed library call: .code (int), .status ("TPUSIM_ERR_PARSE"), message."""

    def __init__(self, code, message):
        self.code = code
        self.status = _f["tpusim_status_name"](code).decode()
        super().__init__("%s: %s" % (self.status, message))


def version():
    return _f["tpusim_version"]().decode()


def _b(s):
    return None if s is None else os.fsencode(s) if isinstance(s, os.PathLike) else s.encode()


def _dims(values):
    return (_i64 * len(values))(*values)


class _Context(threading.local):
    """One library context per thread: its cache, scratch and last error."""

    def __init__(self):
        h = _P()
        rc = _f["tpusim_context_open"](0, _R(h))
        if rc:
            raise Error(rc, "cannot open a context")
        self.h = h
        self.res = _P()
        rc = _f["tpusim_result_new"](_R(self.res))
        if rc:
            raise Error(rc, "cannot make a result")

    def __del__(self):
        _f["tpusim_result_close"](self.res)
        _f["tpusim_context_close"](self.h)

    def check(self, rc):
        if rc:
            raise Error(rc, _f["tpusim_errmsg"](self.h).decode())


_ctx = _Context()


def cache_stats():
    """This thread's cache: hits, misses, entries, bytes, limit_bytes, flushes."""
    s = _CacheStats()
    _f["tpusim_cache_stats_get"](_ctx.h, _R(s))
    return {f: getattr(s, f) for f, _ in _CacheStats._fields_}


class Graph:
    """A model graph: from an ONNX file or bytes, a built-in, or builder calls.

    The builder mirrors the C one: add_input, add_weight, add_op (attributes
    as keyword arguments), add_conv2d, add_dense, mark_output, finalize.
    """

    def __init__(self, batch=None, dims=None):
        self._h = _P()
        rc = _f["tpusim_graph_new"](_R(self._h))
        if rc:
            raise Error(rc, "cannot make a graph")
        if batch is not None:
            self._check(_f["tpusim_graph_set_batch"](self._h, batch))
        for name, value in (dims or {}).items():
            self._check(_f["tpusim_graph_bind_dim"](self._h, name.encode(), value))

    def __del__(self):
        if getattr(self, "_h", None):
            _f["tpusim_graph_close"](self._h)
            self._h = None

    def _check(self, rc):
        if rc:
            raise Error(rc, _f["tpusim_graph_errmsg"](self._h).decode())
        return self

    @classmethod
    def onnx(cls, model, batch=None, dims=None):
        """From a path or the bytes of an ONNX or a TFLite file (told apart by
        content: TFLite's identifier TFL3 at byte 4)."""
        g = cls(batch, dims)
        if isinstance(model, (bytes, bytearray)):
            load = ("tpusim_graph_load_tflite_buffer" if bytes(model[4:8]) == b"TFL3"
                    else "tpusim_graph_load_onnx_buffer")
            return g._check(_f[load](g._h, bytes(model), len(model), b"<bytes>"))
        return g._check(_f["tpusim_graph_load_file"](g._h, _b(os.fspath(model))))

    tflite = onnx  # one loader: the format is told by content

    @property
    def notes(self):
        """What loading decided that the caller should know, a line each."""
        return _f["tpusim_graph_notes"](self._h).decode().splitlines()

    @classmethod
    def builtin(cls, name):
        g = cls()
        return g._check(_f["tpusim_graph_build_builtin"](g._h, name.encode()))

    def add_input(self, name, dims, dtype="float32"):
        return self._check(_f["tpusim_graph_add_input"](self._h, name.encode(), _DTYPES[dtype],
                                                        len(dims), _dims(dims)))

    def add_weight(self, name, dims, dtype="float32"):
        return self._check(_f["tpusim_graph_add_weight"](self._h, name.encode(), _DTYPES[dtype],
                                                         len(dims), _dims(dims)))

    def add_op(self, op_type, name, inputs, outputs, **attrs):
        ins = (_str * len(inputs))(*[s.encode() for s in inputs])
        outs = (_str * len(outputs))(*[s.encode() for s in outputs])
        self._check(_f["tpusim_graph_add_op"](self._h, op_type.encode(), name.encode(), ins,
                                              len(inputs), outs, len(outputs)))
        for key, v in attrs.items():
            k = key.encode()
            if isinstance(v, bool) or isinstance(v, int):
                rc = _f["tpusim_graph_set_attr_int"](self._h, k, int(v))
            elif isinstance(v, float):
                rc = _f["tpusim_graph_set_attr_float"](self._h, k, v)
            elif isinstance(v, str):
                rc = _f["tpusim_graph_set_attr_string"](self._h, k, v.encode())
            else:
                rc = _f["tpusim_graph_set_attr_ints"](self._h, k, _dims(list(v)), len(v))
            self._check(rc)
        return self

    def add_conv2d(self, name, input, output, out_channels, kernel, stride=1, pad=None,
                   group=1):
        pad = kernel // 2 if pad is None else pad
        return self._check(_f["tpusim_graph_add_conv2d"](
            self._h, name.encode(), input.encode(), output.encode(), out_channels, kernel,
            stride, pad, group))

    def add_dense(self, name, input, output, out_features):
        return self._check(_f["tpusim_graph_add_dense"](self._h, name.encode(), input.encode(),
                                                        output.encode(), out_features))

    def mark_output(self, tensor):
        return self._check(_f["tpusim_graph_mark_output"](self._h, tensor.encode()))

    def finalize(self):
        return self._check(_f["tpusim_graph_finalize"](self._h))

    def ops(self):
        """Per op: name, type, macs, flops, params, bytes (finalized graphs)."""
        rows, info = [], _OpInfo()
        for i in range(_f["tpusim_graph_op_count"](self._h)):
            self._check(_f["tpusim_graph_op"](self._h, i, _R(info)))
            rows.append({"name": info.name.decode(), "type": info.type.decode(),
                         "macs": info.macs, "flops": info.flops, "params": info.params,
                         "bytes": info.bytes_in + info.bytes_weights + info.bytes_out})
        return rows

    def totals(self):
        t = _Totals()
        self._check(_f["tpusim_graph_totals"](self._h, _R(t)))
        return {f: getattr(t, f) for f, _ in _Totals._fields_}


class Net:
    """A compact NAS candidate: an input and a chain of blocks (the fast path).

    Net((1, 3, 224, 224)).add("conv", 32, kernel=3, stride=2)
                         .add("dw_ibn", 16, kernel=3, expand=1, act="swish", se=True)
                         .add("head", 1280, classes=1000)
    Kinds: conv, dw_ibn, fused_ibn, gc_ibn (groups=), head (classes=).
    """

    def __init__(self, input=(1, 3, 224, 224)):
        self._h = _P()
        rc = _f["tpusim_net_new"](_R(self._h))
        if rc:
            raise Error(rc, "cannot make a net")
        self._check(_f["tpusim_net_reset"](self._h, *input))

    def __del__(self):
        if getattr(self, "_h", None):
            _f["tpusim_net_close"](self._h)
            self._h = None

    def _check(self, rc):
        if rc:
            raise Error(rc, _f["tpusim_net_errmsg"](self._h).decode())
        return self

    def add(self, kind, out_channels, kernel=3, stride=1, expand=1, groups=1, act="relu",
            se=False, classes=1000):
        if kind not in _KINDS or act not in _ACTS:
            raise Error(1, "unknown block kind %r or act %r" % (kind, act))
        b = _Block(_KINDS[kind], out_channels, kernel, stride, expand, groups, _ACTS[act],
                   int(bool(se)), classes)
        return self._check(_f["tpusim_net_add"](self._h, _R(b)))

    def totals(self):
        """MACs, FLOPs, parameters, bytes and op count of the net's graph."""
        t = _Totals()
        self._check(_f["tpusim_net_totals"](self._h, _R(t)))
        return {f: getattr(t, f) for f, _ in _Totals._fields_}


def _result(res, chip_name, stack_name):
    s = _Summary()
    _f["tpusim_result_summary"](res, _R(s))
    out = {"chip": chip_name, "stack": stack_name, "cycles": s.cycles, "seconds": s.seconds,
           "dtype": next((k for k, v in _DTYPES.items() if v == s.dtype), str(s.dtype)),
           "stall_cycles": dict(zip(CAUSES, s.stall_cycles)),
           "energy_uj_by_part": dict(zip(ENERGY_PARTS, s.energy_uj_by_part))}
    for f in ("ops", "flops", "macs", "hbm_bytes", "host_bytes", "mac_slots", "useful_macs",
              "param_bytes", "params_on_chip_bytes", "cache_hits", "cache_misses",
              "invocation_cycles", "energy_uj", "avg_power_w"):
        out[f] = getattr(s, f)
    out["op_count"] = out.pop("ops")
    rows, row = [], _OpRow()
    for i in range(_f["tpusim_result_op_count"](res)):
        _f["tpusim_result_op"](res, i, _R(row))
        rows.append({"name": row.name.decode(errors="replace"), "type": row.type.decode(),
                     "cycles": row.cycles, "start_cycle": row.start_cycle,
                     "flops": row.flops, "macs": row.macs, "hbm_bytes": row.hbm_bytes,
                     "host_bytes": row.host_bytes, "bound": CAUSES[row.bound],
                     "fused_into": row.fused_into if row.fused_into >= 0 else None,
                     "stall_cycles": dict(zip(CAUSES, row.stall_cycles)),
                     "energy_uj": row.energy_uj})
    out["ops"] = rows
    return out


def _overrides(overrides):
    sets = ["%s=%s" % (k, v) for k, v in (overrides or {}).items()]
    return (_str * max(1, len(sets)))(*[s.encode() for s in sets]), len(sets)


class Stack:
    """A software stack by name ("pytorch-eager") or .ini path, with per-key
    overrides ({"overhead.dispatch_us_per_kernel": 20}): what fuses, what runs
    on the host, launch and invocation overheads. Immutable; shareable."""

    def __init__(self, name, overrides=None, models_dir=None):
        arr, n = _overrides(overrides)
        self._h = _P()
        _ctx.check(_f["tpusim_stack_open"](_ctx.h, name.encode(), _b(models_dir), arr, n,
                                           _R(self._h)))
        self.name = _f["tpusim_stack_name"](self._h).decode()
        self.models_dir = models_dir

    def __del__(self):
        if getattr(self, "_h", None):
            _f["tpusim_stack_close"](self._h)
            self._h = None

    def __repr__(self):
        return "Stack(%r)" % self.name


class Chip:
    """A chip model by name ("tpu_v4i") or .ini path, with per-key overrides.
    It runs under the stack its file names (default_stack) unless a query
    names another. Immutable once opened; may be shared by threads."""

    def __init__(self, name, overrides=None, models_dir=None):
        arr, n = _overrides(overrides)
        self._h = _P()
        self.models_dir = models_dir
        _ctx.check(_f["tpusim_chip_open"](_ctx.h, name.encode(), _b(models_dir), arr, n,
                                          _R(self._h)))
        info = _ChipInfo()
        _f["tpusim_chip_info_get"](self._h, _R(info))
        self.name = info.name.decode()
        self.clock_hz = info.clock_hz
        self.cores = info.cores
        self.peak_flops_per_s = info.peak_flops_per_s
        self.default_stack = info.default_stack.decode()
        self.tdp_w = info.tdp_w
        self.static_w = info.static_w

    def __del__(self):
        if getattr(self, "_h", None):
            _f["tpusim_chip_close"](self._h)
            self._h = None

    def __repr__(self):
        return "Chip(%r)" % self.name

    def latency(self, model, dtype=None, no_fusion=False, framework_overhead_us=0.0,
                exact=False, per_op=None, batch=None, stack=None, engine="fast"):
        """Latency of model: an ONNX or TFLite path or bytes, a Graph or a Net. A dict with
        cycles, seconds, stall_cycles by cause, energy_uj, avg_power_w and
        energy_uj_by_part (docs/energy.md), flops, bytes, the stack it ran
        under, and "ops" (per-op rows; for a Net only with per_op=True, which
        simulates it whole, so a Net's default is False: the cached fast path).
        stack: None (the chip's default), a name or a Stack. engine is "fast"
        (each op alone, closed form; cached for nets) or "event" (every tile
        and transfer in time, ops overlapping; what the CLI reports)."""
        if per_op is None:
            per_op = not isinstance(model, Net)
        if engine not in _ENGINES:
            raise ValueError("engine must be one of %s, got %r" % (sorted(_ENGINES), engine))
        if isinstance(stack, str):
            stack = Stack(stack, models_dir=self.models_dir)
        flags = (EXACT if exact else 0) | (PER_OP if per_op else 0)
        opts = _Options(_DTYPES[dtype] if dtype else 0, int(no_fusion), framework_overhead_us,
                        flags, stack._h if stack is not None else None, _ENGINES[engine])
        if isinstance(model, Net):
            rc = _f["tpusim_net_query"](_ctx.h, self._h, model._h, _R(opts), _ctx.res)
        else:
            if not isinstance(model, Graph):
                model = Graph.onnx(model, batch=batch)
            rc = _f["tpusim_graph_query"](_ctx.h, model._h, self._h, _R(opts), _ctx.res)
        _ctx.check(rc)
        return _result(_ctx.res, self.name, stack.name if stack is not None else
                       self.default_stack)

    def seconds(self, net):
        """Just the latency of a Net in seconds: the fastest call (a cache lookup)."""
        return self.latency(net, per_op=False)["seconds"]

    def seconds_and_energy(self, net):
        """A Net's latency in seconds and its energy per inference in µJ, from the
        same cached query as seconds() (docs/energy.md)."""
        r = self.latency(net, per_op=False)
        return r["seconds"], r["energy_uj"]


def main(argv=None):
    """`python -m tpusim run MODEL ...`: a model's latency on a chip, op by op."""
    ap = argparse.ArgumentParser(prog="python -m tpusim")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="simulate a model (an ONNX file or builtin:NAME)")
    run.add_argument("model")
    run.add_argument("--chip", default="tpu_v3")
    run.add_argument("--stack", help="the chip's default stack when not given")
    run.add_argument("--set", action="append", default=[], metavar="S.KEY=VALUE",
                     help="a chip override, one per --set")
    run.add_argument("--batch", type=int)
    run.add_argument("--engine", choices=sorted(_ENGINES), default="event")
    args = ap.parse_args(argv)
    try:
        sets = dict(s.split("=", 1) if "=" in s else (s, "") for s in args.set)
        chip = Chip(args.chip, overrides=sets)
        if args.model.startswith("builtin:"):
            model = Graph.builtin(args.model[len("builtin:"):])
        else:
            model = Graph.onnx(args.model, batch=args.batch)
        r = chip.latency(model, stack=args.stack, engine=args.engine)
    except (Error, OSError) as e:
        print("tpusim: %s" % e, file=sys.stderr)
        return 1
    print("%s on %s under %s: %d cycles = %.2f us, %.1f uJ, %.2f W" % (
        args.model, r["chip"], r["stack"], r["cycles"], r["seconds"] * 1e6, r["energy_uj"],
        r["avg_power_w"]))
    for i, op in enumerate(r["ops"]):
        if op["fused_into"] is None:
            print("%4d  %-40s %-16s %12d  %s" % (i, op["name"][-40:], op["type"], op["cycles"],
                                                op["bound"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
