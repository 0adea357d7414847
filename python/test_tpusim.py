"""Tests of the ctypes binding (python/tpusim.py): run by `make test` with
/usr/bin/python3 -m unittest. TPUSIM_MODELS_DIR and TPUSIM_LIB come from the
make file; the ONNX test uses ../shared/models/real when present."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tpusim  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = os.environ.get("TPUSIM_MODELS_DIR") or os.path.join(ROOT, "models")
ONNX = os.path.join(os.environ.get("TPUSIM_MODELS") or os.path.join(ROOT, "..", "shared",
                                                                    "models", "real"),
                    "onnx", "torch_export", "tv_mnasnet1_0_light.onnx")
TFLITE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(ONNX))), "tflite", "coral",
                      "mobilenet_v1_0.25_128_quant.tflite")


def small_net(kind="dw_ibn"):
    return (tpusim.Net((1, 3, 224, 224))
            .add("conv", 32, kernel=3, stride=2, act="swish")
            .add(kind, 24, kernel=3, stride=2, expand=6, groups=2, act="swish", se=True)
            .add(kind, 24, kernel=5, expand=6, groups=2)
            .add("head", 1280, classes=1000))


class BindingTest(unittest.TestCase):
    def test_version_is_the_headers(self):
        with open(os.path.join(ROOT, "sim", "tpusim.h")) as f:
            self.assertIn('#define TPUSIM_VERSION "%s"' % tpusim.version(), f.read())

    def test_unknown_chip_and_bad_override_raise_with_the_message(self):
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Chip("tpu_v99", models_dir=MODELS)
        self.assertIn("tpu_v99", str(e.exception))
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Chip("tpu_v3", overrides={"mxu.rowz": 64}, models_dir=MODELS)
        self.assertIn("rowz", str(e.exception))

    def test_override_changes_the_answer(self):
        g = tpusim.Graph.builtin("demo-cnn")
        slow = tpusim.Chip("tpu_v3", overrides={"hbm.bandwidth_gbps": 90}, models_dir=MODELS)
        fast = tpusim.Chip("tpu_v3", models_dir=MODELS)
        self.assertGreater(slow.latency(g)["cycles"], fast.latency(g)["cycles"])

    def test_engines_agree_on_one_op_and_event_overlaps_ops(self):
        one = tpusim.Graph()
        one.add_input("x", [4096, 1024])
        one.add_dense("fc", "x", "y", 1024)
        one.finalize()
        chip = tpusim.Chip("tpu_v3", models_dir=MODELS)
        fast, event = (chip.latency(one, engine=e)["cycles"] for e in ("fast", "event"))
        self.assertEqual(fast, event)
        g = tpusim.Graph.builtin("demo-cnn")
        r = chip.latency(g, engine="event")
        self.assertEqual(sum(o["cycles"] for o in r["ops"]), r["cycles"])
        self.assertLessEqual(r["cycles"], chip.latency(g)["cycles"])
        net = small_net()
        ev = chip.latency(net, engine="event", per_op=True)
        self.assertEqual(sum(o["cycles"] for o in ev["ops"]), ev["cycles"])
        self.assertLessEqual(ev["cycles"], chip.latency(net)["cycles"])
        with self.assertRaises(ValueError):
            chip.latency(g, engine="fastest")

    def test_builder_graph_result_is_a_dict_with_rows_summing_to_total(self):
        g = tpusim.Graph()
        g.add_input("x", [1, 64, 56, 56])
        g.add_conv2d("c1", "x", "y", 128, 3)
        g.add_op("Relu", "r1", ["y"], ["z"])
        g.add_op("MaxPool", "p1", ["z"], ["p"], kernel_shape=[2, 2], strides=[2, 2])
        g.finalize()
        self.assertEqual([o["type"] for o in g.ops()], ["Conv", "Relu", "MaxPool"])
        chip = tpusim.Chip("tpu_v4i", models_dir=MODELS)
        r = chip.latency(g)
        self.assertEqual(r["stack"], "xla")
        self.assertEqual(r["invocation_cycles"], 0)
        self.assertEqual(sum(o["cycles"] for o in r["ops"]), r["cycles"])
        self.assertEqual(sum(r["stall_cycles"].values()), r["cycles"])
        self.assertEqual(r["ops"][1]["fused_into"], 0)
        # The library divides by the clock it reports: the same double, exactly.
        self.assertEqual(r["seconds"], r["cycles"] / chip.clock_hz)
        self.assertEqual(r["dtype"], "bfloat16")

    def test_a_stack_by_name_or_object_changes_the_answer_with_its_mechanisms(self):
        v100 = tpusim.Chip("gpu_v100", models_dir=MODELS)
        self.assertEqual(v100.default_stack, "tensorrt")
        g = tpusim.Graph.builtin("demo-cnn")
        trt = v100.latency(g)
        eager = v100.latency(g, stack="pytorch-eager")
        by_object = v100.latency(g, stack=tpusim.Stack("pytorch-eager", models_dir=MODELS))
        self.assertEqual((trt["stack"], eager["stack"]), ("tensorrt", "pytorch-eager"))
        self.assertEqual(eager["cycles"], by_object["cycles"])
        self.assertGreater(eager["cycles"], trt["cycles"])
        # more kernels (BatchNorm and activations unfused), each launched
        kernels = [len([o for o in r["ops"] if o["fused_into"] is None and o["cycles"]])
                   for r in (trt, eager)]
        self.assertGreater(kernels[1], kernels[0])
        # 6 us per inference at 1530 MHz, as launch in the first op's row
        self.assertEqual(eager["invocation_cycles"], 9180)
        self.assertEqual(sum(o["cycles"] for o in eager["ops"]), eager["cycles"])
        self.assertGreaterEqual(eager["ops"][0]["stall_cycles"]["launch"], 9180)
        # an override of the stack is one more mechanism knob
        slow = tpusim.Stack("pytorch-eager", {"overhead.dispatch_us_per_kernel": 50},
                            models_dir=MODELS)
        self.assertGreater(v100.latency(g, stack=slow)["stall_cycles"]["launch"],
                           eager["stall_cycles"]["launch"])

    def test_stack_errors_raise_with_the_message(self):
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Stack("xla9", models_dir=MODELS)
        self.assertIn("unknown stack 'xla9'", str(e.exception))
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Stack("xla", {"overhead.gap": 1}, models_dir=MODELS)
        self.assertIn("overhead.gap", str(e.exception))
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Chip("tpu_v3", models_dir=MODELS).latency(tpusim.Graph.builtin("demo-cnn"),
                                                             stack="tensorrt")
        self.assertIn("does not run on chip 'tpu_v3'", str(e.exception))

    def test_builder_errors_raise(self):
        g = tpusim.Graph()
        with self.assertRaises(tpusim.Error) as e:
            g.add_op("NoSuchOp", "n", ["x"], ["y"])
        self.assertIn("NoSuchOp", str(e.exception))

    @unittest.skipUnless(os.path.exists(ONNX), "no shared ONNX models")
    def test_onnx_path_and_bytes_agree_on_three_chips(self):
        with open(ONNX, "rb") as f:
            data = f.read()
        for name in ("tpu_v3", "tpu_v4i", "edgetpu"):
            chip = tpusim.Chip(name, models_dir=MODELS)
            a, b = chip.latency(ONNX), chip.latency(data)
            self.assertEqual(a["cycles"], b["cycles"])
            self.assertGreater(a["cycles"], 0)
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Chip("tpu_v3", models_dir=MODELS).latency(data[:1000])
        self.assertIn("TPUSIM_ERR_PARSE", str(e.exception))

    @unittest.skipUnless(os.path.exists(TFLITE), "no shared TFLite models")
    def test_tflite_path_and_bytes_agree_and_notes_read_back(self):
        with open(TFLITE, "rb") as f:
            data = f.read()
        chip = tpusim.Chip("edgetpu", models_dir=MODELS)
        self.assertEqual(chip.latency(TFLITE)["cycles"], chip.latency(data)["cycles"])
        compiled = TFLITE.replace(".tflite", "_edgetpu.tflite")
        notes = tpusim.Graph.tflite(compiled).notes
        self.assertEqual(len(notes), 1)
        self.assertIn("edgetpu-custom-op", notes[0])

    def test_net_cached_equals_exact_and_equals_its_graph(self):
        for name in ("tpu_v3", "tpu_v4i", "edgetpu", "gpu_v100"):
            chip = tpusim.Chip(name, models_dir=MODELS)
            for kind in ("dw_ibn", "fused_ibn", "gc_ibn"):
                net = small_net(kind)
                exact = chip.latency(net, exact=True, per_op=True)
                cold = chip.latency(net, per_op=False)
                warm = chip.latency(net, per_op=False)
                self.assertEqual(warm["cache_misses"], 0)
                for key in ("cycles", "stall_cycles", "flops", "hbm_bytes", "param_bytes",
                            "energy_uj", "avg_power_w", "energy_uj_by_part"):
                    self.assertEqual(exact[key], cold[key], (name, kind, key))
                    self.assertEqual(exact[key], warm[key], (name, kind, key))
                self.assertEqual(warm["ops"], [])
                self.assertEqual(len(exact["ops"]), exact["op_count"])
                self.assertEqual(chip.seconds(net), exact["seconds"])
                self.assertEqual(chip.seconds_and_energy(net),
                                 (exact["seconds"], exact["energy_uj"]))
                # Power is energy over time; the rows' energies add up to the whole.
                self.assertAlmostEqual(exact["avg_power_w"],
                                       exact["energy_uj"] * 1e-6 / exact["seconds"])
                self.assertAlmostEqual(sum(op["energy_uj"] for op in exact["ops"]),
                                       exact["energy_uj"], delta=1e-9 * exact["energy_uj"])
                self.assertAlmostEqual(sum(exact["energy_uj_by_part"].values()),
                                       exact["energy_uj"], delta=1e-9 * exact["energy_uj"])
                self.assertGreater(chip.tdp_w, exact["avg_power_w"] * 0.1)

    def test_net_errors_raise_with_the_block(self):
        with self.assertRaises(tpusim.Error) as e:
            tpusim.Net().add("gc_ibn", 32, groups=5)
        self.assertIn("block 0", str(e.exception))

    def test_threads_share_a_chip(self):
        chip = tpusim.Chip("tpu_v3", models_dir=MODELS)
        want = chip.latency(small_net(), exact=True)["cycles"]
        got = []

        def work():
            for _ in range(20):
                got.append(chip.latency(small_net(), per_op=False)["cycles"])
        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(got, [want] * 60)


if __name__ == "__main__":
    unittest.main()
