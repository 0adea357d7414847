#!/bin/sh
# Installs the Debian packages tpusim needs to build and test, skipping what
# is present. Idempotent; run as root (or with sudo available).
# clang and libclang-rt-dev: the libFuzzer targets (make fuzz, the fuzz smoke
# of make test); texlive-latex-base and -recommended (pdflatex, booktabs,
# longtable; about 50 MB): the LaTeX tables are compiled in make test;
# python3-venv: the Python package is installed into a fresh venv in make test;
# parallel: the sweep shard test; libcsv-dev: SCALE-Sim topology files.
set -eu

PACKAGES="gcc g++ make pkg-config protobuf-c-compiler libprotobuf-c-dev libonnx-dev \
flatbuffers-compiler libflatbuffers-dev python3-flatbuffers \
zlib1g-dev check libinih-dev uthash-dev python3 python3-onnx python3-numpy hyperfine gnuplot-nox libsystemc-dev \
clang libclang-rt-dev texlive-latex-base texlive-latex-recommended python3-venv \
parallel libcsv-dev"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: need root to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
