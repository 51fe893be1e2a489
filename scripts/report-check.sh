#!/usr/bin/env bash
# `make report-check`: renders a Vitrine HTML report in headless Chromium (Debian's `chromium`,
# installed when missing), saves a PNG, and fails when the page is blank or the browser console
# logs an error. Usage:
#   scripts/report-check.sh [REPORT.html] [OUT.png]
# Default: the demo's report (run `make run` first) → .bench/report-check.png.
set -euo pipefail
cd "$(dirname "$0")/.."
REPORT=${1:-pipelines/.vitrine/out/report/report.html}
PNG=${2:-.bench/report-check.png}
mkdir -p "$(dirname "$PNG")" .bench
if ! command -v chromium >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get install -y -qq chromium >/dev/null || { echo "report-check: could not install chromium" >&2; exit 2; }
fi
[ -s "$REPORT" ] || { echo "report-check: no report at $REPORT" >&2; exit 1; }
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
# --enable-logging=stderr makes console messages appear as CONSOLE lines with their level.
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 \
    --window-size=1280,3000 --screenshot="$PNG" "file://$(realpath "$REPORT")" >"$LOG" 2>&1 || true
[ -s "$PNG" ] || { echo "report-check: chromium wrote no screenshot" >&2; cat "$LOG" >&2; exit 1; }
if grep -E 'CONSOLE|Uncaught|Failed to load resource|net::ERR' "$LOG" | grep -viE 'level=0|:INFO:' ; then
    echo "report-check: the page logged errors (above)" >&2; exit 1
fi
PY=.bench/venv/bin/python
[ -x "$PY" ] || python3 -m venv .bench/venv
"$PY" -c "import PIL" 2>/dev/null || "$PY" -m pip install -q pillow
"$PY" - "$PNG" <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
small = im.resize((128, 300))
b = small.tobytes(); pixels = [tuple(b[i:i + 3]) for i in range(0, len(b), 3)]
non_white = sum(1 for p in pixels if sum(p) < 720) / len(pixels)
colours = len(set(pixels))
print(f"report-check: {sys.argv[1]} {im.size[0]}x{im.size[1]}, {non_white:.1%} non-white, {colours} colours")
if non_white < 0.02 or colours < 50:
    sys.exit("report-check: the page looks blank")
PYEOF
echo "report-check: ok ($REPORT)"
