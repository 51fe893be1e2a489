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
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
.build-search-rel/release/bench-search --rows "$ROWS" --dim 1280 --k 10 --threads "$THREADS" --repeat "$REPEATS" --out "$OUT"
"$VENV/bin/python" bench/search/peers.py "$OUT" 10 "$THREADS" "$REPEATS"
