#!/usr/bin/python3
"""Checks that a change to the simulator's speed leaves every result as it was.

  scripts/same_results.py run TPUSIM OUTDIR   # writes one JSON report per run
  scripts/same_results.py compare DIR_A DIR_B # byte-compares two such folders

`run` simulates every real model of tests/real_models.tsv (those expected to
load) and a few zoo families on every chip with both engines, plus the zoo
families on 2 cores with an uneven batch and without fusion, with
`tpusim run --format json` (retried with --dtype int8 where the default
dtype is refused); it keeps stdout, stderr and the exit status of each run.
Run it from the repository root with the binary before the change and the
one after, then `compare`: any byte that differs is a changed result.
Models come from $TPUSIM_MODELS (default ../shared/models/real).
"""
import concurrent.futures
import os
import subprocess
import sys

CHIPS = ['tpu_v2', 'tpu_v3', 'tpu_v4i', 'edgetpu', 'edgetpu_pcie', 'gpu_v100']
ZOO = ['resnet-50', 'efficientnet-b0', 'bert-base', 'mobilenet-v2', 'mobilenet-v1',
       'byte-qrnn', 'efficientnet-x-b0', 'efficientnet-edgetpu-s']
ZOO_VARIANTS = [['--batch', '3', '--cores', '2'], ['--no-fusion']]
ZOO_VARIANT_CHIPS = ['tpu_v3', 'tpu_v4i', 'gpu_v100']


def models(root):
    """(path, bindings) of every loadable real model, then the zoo families."""
    out = []
    with open('tests/real_models.tsv') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            path, expect, bindings = line.rstrip('\n').split('\t')[:3]
            if expect.startswith('error'):
                continue
            folder = '' if path.startswith('tflite/') else 'onnx/'
            out.append((f'{root}/{folder}{path}', [] if bindings == '-' else bindings.split(',')))
    return out + [('zoo:' + z, []) for z in ZOO]


def jobs(root):
    for path, bindings in models(root):
        for chip in CHIPS:
            for engine in ['fast', 'event']:
                yield path, bindings, [], chip, engine
        if path.startswith('zoo:'):
            for extra in ZOO_VARIANTS:
                for chip in ZOO_VARIANT_CHIPS:
                    for engine in ['fast', 'event']:
                        yield path, bindings, extra, chip, engine


def run_one(tpusim, outdir, root, job):
    path, bindings, extra, chip, engine = job
    name = (path.replace(root + '/', '').replace('/', '_').replace(':', '_') + ''.join(extra) +
            f'__{chip}__{engine}')
    cmd = [tpusim, 'run', path] + bindings + extra + ['--chip', chip, '--engine', engine,
                                                      '--format', 'json']
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode != 0:
        r = subprocess.run(cmd + ['--dtype', 'int8'], capture_output=True)
    for ext, data in (('json', r.stdout), ('err', r.stderr), ('rc', b'%d\n' % r.returncode)):
        with open(f'{outdir}/{name}.{ext}', 'wb') as f:
            f.write(data)
    return r.returncode


def run(tpusim, outdir):
    root = os.environ.get('TPUSIM_MODELS', '../shared/models/real')
    os.makedirs(outdir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as ex:
        rcs = list(ex.map(lambda j: run_one(os.path.abspath(tpusim), outdir, root, j),
                          jobs(root)))
    print(f'{len(rcs)} runs, {rcs.count(0)} simulated, the rest refused (kept as they are)')


def compare(a, b):
    names = sorted(os.listdir(a))
    differ = [n for n in names
              if not os.path.exists(f'{b}/{n}') or open(f'{a}/{n}', 'rb').read() !=
              open(f'{b}/{n}', 'rb').read()]
    missing = sorted(set(os.listdir(b)) - set(names))
    for n in differ + missing:
        print('differs:', n)
    print(f'{len(names)} files compared, {len(differ) + len(missing)} differ')
    return 1 if differ or missing else 0


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'run':
        run(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == 'compare':
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
