#!/usr/bin/env bash
# All-pairs exact top-10 over 20,000 x 1,280 seeded random unit vectors: vitrine vs FAISS
# IndexFlatIP vs numpy, all at the same thread count. Usage: bench/search/run.sh [rows] [threads] [repeats]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-20000}; THREADS=${2:-2}; REPEATS=${3:-3}
VENV=.bench/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import faiss, numpy" 2>/dev/null || "$VENV/bin/pip" install -q numpy faiss-cpu
VITRINE_ONLY=bench-search swift build -c release --scratch-path .build-search-rel --product bench-search >/dev/null
# Debian's OpenBLAS 0.3.21 detects this VM's generic "Intel Xeon Processor" as Prescott (SSE3 kernels, ~4x slower
# sgemm); pick the kernel from the CPU flags unless the caller chose one. numpy's wheel OpenBLAS picks Haswell itself.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
"$VENV/bin/python" bench/search/peers.py .build-search-rel/release/bench-search "$ROWS" 10 "$THREADS" "$REPEATS"
