"""A PEP 517 build backend for the one-module tpusim package, with no
requirements (pip installs it offline): the wheel holds tpusim.py and its
dist-info, the version comes from TPUSIM_VERSION in ../sim/tpusim.h."""
import base64
import hashlib
import os
import re
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "tpusim"


def _version():
    with open(os.path.join(HERE, "..", "sim", "tpusim.h")) as f:
        m = re.search(r'#define TPUSIM_VERSION "([^"]+)"', f.read())
    if not m:
        raise RuntimeError("TPUSIM_VERSION not found in ../sim/tpusim.h")
    return m.group(1)


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _dist_info(version):
    meta = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: ctypes binding over libtpusim, the tpusim latency oracle\n"
            "Requires-Python: >=3.9\n" % (NAME, version))
    wheel = ("Wheel-Version: 1.0\nGenerator: tpusim build_backend\n"
             "Root-Is-Purelib: true\nTag: py3-none-any\n")
    return {"METADATA": meta.encode(), "WHEEL": wheel.encode()}


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _version()
    info = "%s-%s.dist-info" % (NAME, version)
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, version)
    files = {"tpusim.py": open(os.path.join(HERE, "tpusim.py"), "rb").read()}
    for name, data in _dist_info(version).items():
        files["%s/%s" % (info, name)] = data
    record = [_record_line(p, d) for p, d in files.items()] + ["%s/RECORD,," % info]
    files["%s/RECORD" % info] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return wheel_name
