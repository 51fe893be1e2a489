#!/usr/bin/env bash
# `make bench`: every benchmark side by side with its peer, as recorded in BENCHMARKS.md.
#
#   scripts/bench.sh [AREA...]      AREA: text fetch e2e imaging nn search checkpoints runner (default: all)
#   scripts/bench.sh --setup        only create .bench/venv and install the peers
#
# Steps: `swift build -c release` (every product: vitrine and the bench-* executables); a venv at
# .bench/venv with the peers the chosen areas need (a peer whose install fails is skipped with a
# message, and so is the area that needs it); then each area's driver under bench/AREA/, which prints
# its own medians and the peer ratio. Areas that fail are listed at the end (exit status 1).
#
# Environment (all optional):
#   BENCH_NO_BUILD=1          use the binaries already built under the scratch path (no swift build)
#   BENCH_SCRATCH_PATH=DIR    SwiftPM scratch path (default .build); binaries from DIR/release
#   BENCH_NO_INSTALL=1        install nothing (no pip, no apt-get); areas whose peer is missing are skipped
#   BENCH_REPS=N              repeats for every area (default: the count each RESULTS.md was measured with)
#   PYTHON=python3            interpreter used to create the venv
#
# The drivers under bench/ still name the scratch folders they were first built in (.build-catalog-rel,
# .build-fetch, .build-nn-release, .build-search-rel); this script hands each one the binary under
# $BENCH_SCRATCH_PATH/release instead, without editing them (and never passes bench/text's --write,
# which would rewrite bench/text/RESULTS.md with its old build command).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ALL_AREAS=(text fetch e2e imaging nn search runner checkpoints)   # checkpoints last: it builds the tests
SCRATCH=${BENCH_SCRATCH_PATH:-.build}
case $SCRATCH in /*) ;; *) SCRATCH=$ROOT/$SCRATCH ;; esac
BIN=$SCRATCH/release
VENV=$ROOT/.bench/venv
PY=$VENV/bin/python
SETUP_ONLY=0
SKIP=99   # an area's exit status when its peer is missing
# Only name the scratch path to swift when it is not the default, so the commands shown are the plain ones.
SWIFT_SCRATCH=(); [ -n "${BENCH_SCRATCH_PATH:-}" ] && SWIFT_SCRATCH=(--scratch-path "$SCRATCH")

say()  { printf '\n=== %s\n' "$*"; }
note() { printf 'bench: %s\n' "$*"; }
die()  { printf 'bench: error: %s\n' "$*" >&2; exit 2; }
machine() {
    printf 'machine: %s cores, %s, load average %s, %s\n' "$(nproc)" \
        "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

AREAS=()
for arg in "$@"; do
    case $arg in
        -h|--help) usage; exit 0 ;;
        --setup) SETUP_ONLY=1 ;;
        text|fetch|e2e|imaging|nn|search|checkpoints|runner) AREAS+=("$arg") ;;
        *) usage >&2; die "unknown area '$arg' (areas: ${ALL_AREAS[*]})" ;;
    esac
done
if [ ${#AREAS[@]} -eq 0 ]; then
    AREAS=("${ALL_AREAS[@]}")
else  # keep the canonical order (checkpoints last), drop duplicates
    chosen=" ${AREAS[*]} "; AREAS=()
    for a in "${ALL_AREAS[@]}"; do [[ $chosen == *" $a "* ]] && AREAS+=("$a"); done
fi
wants() { [[ " ${AREAS[*]} " == *" $1 "* ]]; }

# ---------------------------------------------------------------------------------------------
# Peers: one venv, installed on demand; an install that fails skips that peer, not the run.

have_py() { [ -x "$PY" ] && "$PY" -c "import $1" >/dev/null 2>&1; }

ensure_venv() {
    [ -x "$PY" ] && return 0
    [ "${BENCH_NO_INSTALL:-0}" = 1 ] && { note "no venv at .bench/venv and BENCH_NO_INSTALL=1: every peer is skipped"; return 1; }
    note "creating .bench/venv (${PYTHON:-python3} -m venv)"
    "${PYTHON:-python3}" -m venv "$VENV" || { note "could not create .bench/venv: every peer is skipped"; return 1; }
    "$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
}

# peer LABEL IMPORT PIP-ARGS...: installs when IMPORT fails; returns 1 (with a message) when still missing.
peer() {
    local label=$1 mod=$2; shift 2
    have_py "$mod" && return 0
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ] || ! ensure_venv; then
        note "peer $label not installed (BENCH_NO_INSTALL=1 or no venv): skipped"; return 1
    fi
    note "installing peer $label: pip install $*"
    if "$PY" -m pip install --quiet "$@" && have_py "$mod"; then return 0; fi
    note "peer $label could not be installed (pip install $* failed): skipped"
    return 1
}

# PyTorch + torchvision: the CPU builds from PyTorch's own index where it is reachable, else PyPI's, whose
# Linux wheels are the CUDA builds (a few GB; they run on the CPU). A local `torch-*+cpu` wheel alone is no
# use: PyPI's torchvision is built against the CUDA torch and fails to load its operators with the CPU one.
peer_torch() {
    have_py "torch, torchvision" && return 0
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ] || ! ensure_venv; then
        note "peer PyTorch not installed (BENCH_NO_INSTALL=1 or no venv): skipped"; return 1
    fi
    note "installing peer PyTorch (CPU build) from PyTorch's index"
    if "$PY" -m pip install --quiet --timeout 30 --retries 1 --upgrade --index-url https://download.pytorch.org/whl/cpu \
            torch torchvision 2>/dev/null && have_py "torch, torchvision"; then
        return 0
    fi
    note "PyTorch's index is out of reach: installing torch + torchvision from PyPI (the CUDA build, a few GB; used on the CPU)"
    if "$PY" -m pip install --quiet --upgrade torch torchvision && have_py "torch, torchvision"; then return 0; fi
    note "peer PyTorch could not be installed: skipped (bench/nn/run.sh then times ours only)"
    return 1
}

# nginx serves the images for the fetch benchmark (Debian package).
ensure_nginx() {
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
    [ "${BENCH_NO_INSTALL:-0}" = 1 ] && { note "nginx missing (BENCH_NO_INSTALL=1)"; return 1; }
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    note "installing nginx (apt-get)"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx; } >/dev/null 2>&1 \
        || { note "could not install nginx: skipped"; return 1; }
    # Only the binary is used (started on 127.0.0.1 by bench/fetch/run.py); leave no system service running.
    $sudo systemctl stop nginx >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true
}
export PATH="$PATH:/usr/sbin"

setup_peers() {
    local a
    for a in "${AREAS[@]}"; do
        case $a in
            text)    peer scikit-learn sklearn scikit-learn numpy || true ;;
            fetch)   peer img2dataset img2dataset img2dataset || true; ensure_nginx || true ;;
            e2e)     peer img2dataset img2dataset img2dataset || true; ensure_nginx || true ;;
            imaging) peer Pillow PIL Pillow || true; peer OpenCV cv2 opencv-python-headless || true ;;
            nn)      peer_torch || true ;;
            search)  peer numpy numpy numpy || true; peer FAISS faiss faiss-cpu || true ;;
            runner)  peer DVC dvc dvc || true ;;
        esac
    done
    if [ -x "$PY" ]; then
        note "peer versions in .bench/venv:"
        "$PY" -m pip list 2>/dev/null | grep -i -E '^(scikit-learn|numpy|pillow|opencv-python-headless|faiss-cpu|dvc|img2dataset|torch|torchvision) ' | sed 's/^/  /' || true
    fi
}

# ---------------------------------------------------------------------------------------------
# Build

build() {
    if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
        note "BENCH_NO_BUILD=1: using the binaries in $BIN"
    else
        say "swift build -c release ${SWIFT_SCRATCH[*]:-} (every product)"
        swift build -c release "${SWIFT_SCRATCH[@]}"
    fi
    local exe
    for exe in vitrine bench-text bench-fetch bench-imaging bench-nn bench-search; do
        [ -x "$BIN/$exe" ] || die "no $BIN/$exe (run without BENCH_NO_BUILD, or set BENCH_SCRATCH_PATH)"
    done
}

reps() { echo "${BENCH_REPS:-$1}"; }

# ---------------------------------------------------------------------------------------------
# Areas. Each prints its driver's medians and the ratio to its peer; `return $SKIP` = skipped (peer missing).

area_text() {
    have_py sklearn || { note "text: scikit-learn missing"; return $SKIP; }
    [ -f ../shared/data/amazon-apparel-17k.jsonl ] || { note "text: no ../shared/data/amazon-apparel-17k.jsonl"; return $SKIP; }
    # bench/text/run_bench.py names .build-catalog-rel; point it at $BIN (and do not --write).
    "$PY" - "$BIN/bench-text" --runs "$(reps 3)" --big-array <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("run_bench", "bench/text/run_bench.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
m.SWIFT = sys.argv[1]
sys.argv = ["bench/text/run_bench.py"] + sys.argv[2:]
m.main()
PY
}

area_fetch() {
    have_py img2dataset || { note "fetch: img2dataset missing"; return $SKIP; }
    command -v nginx >/dev/null 2>&1 || { note "fetch: nginx missing"; return $SKIP; }
    # bench/fetch/run.py names .build-fetch; point it at $BIN.
    "$PY" - "$BIN/bench-fetch" --reps "$(reps 5)" <<'PY'
import importlib.util, pathlib, sys
spec = importlib.util.spec_from_file_location("fetch_run", "bench/fetch/run.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
m.BENCH = pathlib.Path(sys.argv[1])
sys.argv = ["bench/fetch/run.py"] + sys.argv[2:]
m.main()
PY
}

area_e2e() {
    have_py img2dataset || { note "e2e: img2dataset missing"; return $SKIP; }
    command -v nginx >/dev/null 2>&1 || { note "e2e: nginx missing"; return $SKIP; }
    [ -d ../shared/data/myntra-products-2k/images ] || { note "e2e: no ../shared/data/myntra-products-2k/images"; return $SKIP; }
    # `vitrine run` (catalog.load -> images.download -> images.prepare, 128 px pad) vs img2dataset (128 px, border).
    "$PY" bench/e2e/run.py --reps "$(reps 3)" --vitrine "$BIN/vitrine"
}

area_imaging() {
    have_py PIL || { note "imaging: Pillow missing"; return $SKIP; }
    have_py cv2 || { note "imaging: OpenCV missing"; return $SKIP; }
    local data=$ROOT/../shared/data/myntra-products-2k/images
    if [ ! -d .bench/large ] || [ -z "$(ls -A .bench/large 2>/dev/null)" ]; then
        [ -d "$data" ] || { note "imaging: no $data"; return $SKIP; }
        "$PY" bench/imaging/make_large.py "$data" .bench/large 300
    fi
    "$PY" bench/imaging/run.py --runs "$(reps 5)" --passes 3 --bin "$BIN/bench-imaging"
}

area_nn() {
    # bench/nn/run.sh runs .build-nn-release/release/bench-nn relative to the folder two levels above
    # itself; run it unchanged from a throwaway tree whose links lead to $BIN, bench/nn and .bench.
    local t rc=0
    t=$(mktemp -d /tmp/vitrine-bench-nn.XXXXXX)
    mkdir -p "$t/bench/nn" "$t/.build-nn-release"
    ln -s "$ROOT/bench/nn/run.sh" "$t/bench/nn/run.sh"
    ln -s "$ROOT/bench/nn/peer.py" "$t/bench/nn/peer.py"
    ln -s "$BIN" "$t/.build-nn-release/release"
    mkdir -p "$ROOT/.bench"; ln -s "$ROOT/.bench" "$t/.bench"
    bash "$t/bench/nn/run.sh" "$(reps 3)" || rc=$?
    rm -rf "$t"
    return $rc
}

area_search() {
    have_py numpy || { note "search: numpy missing"; return $SKIP; }
    have_py faiss || { note "search: FAISS missing"; return $SKIP; }
    # bench/search/run.sh without its build line (it builds into .build-search-rel): same settings.
    local threads=2
    if [ -z "${OPENBLAS_CORETYPE:-}" ]; then  # Debian's OpenBLAS 0.3.21 takes this VM for Prescott
        if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
        elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
    fi
    echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
    OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
        "$PY" bench/search/peers.py "$BIN/bench-search" 20000 10 $threads "$(reps 3)"
}

area_runner() {
    local dvc=""
    have_py dvc && dvc=$VENV/bin/dvc
    [ -n "$dvc" ] || note "runner: DVC missing: vitrine's numbers only"
    "${PYTHON:-python3}" bench/runner/run.py --vitrine "$BIN/vitrine" --dvc "$dvc" --reps "$(reps 5)"
}

area_checkpoints() {
    # The store side of a no-op (no peer: the DVC comparison is the runner area). Release test build, with
    # -enable-testing: some test targets use `@testable import`, which a plain release build refuses.
    if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
        say "swift build -c release --build-tests -Xswiftc -enable-testing ${SWIFT_SCRATCH[*]:-}"
        swift build -c release --build-tests -Xswiftc -enable-testing "${SWIFT_SCRATCH[@]}"
    fi
    swift test -c release --skip-build -Xswiftc -enable-testing "${SWIFT_SCRATCH[@]}" --filter noOpCheck
    swift test -c release --skip-build -Xswiftc -enable-testing "${SWIFT_SCRATCH[@]}" --filter hundredThousand
}

describe() {
    case $1 in
        text)        echo "TF-IDF top-10 for 17,593 titles: bench-text vs scikit-learn" ;;
        fetch)       echo "download 10,000 JPEGs from loopback nginx: bench-fetch vs img2dataset" ;;
        e2e)         echo "download + prepare (128 px) 10,000 JPEGs from loopback nginx: vitrine run vs img2dataset" ;;
        imaging)     echo "JPEG decode + fit to 128 px, 2 workers: bench-imaging vs Pillow / OpenCV" ;;
        nn)          echo "CNN training/inference images/s: bench-nn vs PyTorch CPU" ;;
        search)      echo "exact all-pairs top-10, 20,000 x 1,280: bench-search vs FAISS / numpy" ;;
        runner)      echo "no-op re-run, 10 stages x 2,000 files: vitrine run vs dvc repro" ;;
        checkpoints) echo "store side of a no-op over 20,000 artifacts (swift test, release; no peer)" ;;
    esac
}

# ---------------------------------------------------------------------------------------------

machine
note "areas: ${AREAS[*]}"
if [ $SETUP_ONLY = 1 ]; then setup_peers; exit 0; fi
build
setup_peers

ok=(); skipped=(); failed=()
for a in "${AREAS[@]}"; do
    say "$a — $(describe "$a")"
    machine
    start=$SECONDS
    set +e
    ( set -euo pipefail; "area_$a" )
    rc=$?
    set -e
    case $rc in
        0) ok+=("$a"); note "$a: done in $((SECONDS - start)) s" ;;
        "$SKIP") skipped+=("$a"); note "$a: skipped (peer missing, see above)" ;;
        *) failed+=("$a"); note "$a: FAILED (exit $rc)" ;;
    esac
done

say "summary"
machine
note "done: ${ok[*]:-none}"
[ ${#skipped[@]} -eq 0 ] || note "skipped (peer missing): ${skipped[*]}"
[ ${#failed[@]} -eq 0 ] || { note "failed: ${failed[*]}"; exit 1; }
