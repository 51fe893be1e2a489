#!/usr/bin/env bash
# `make experiment`: runs pipelines/backbones.yaml on the 2,099 real Myntra photos of
# ../shared/data/myntra-products-2k (the demo sample when that folder is absent), served from a
# loopback HTTP server, then prints the metrics side by side. Extra arguments go to `vitrine run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VITRINE_BIN:-.build/release/vitrine}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }
data=../shared/data/myntra-products-2k
[ -f "$data/products.csv" ] || { echo "note: $data not found, using the demo sample" >&2; data=data/demo; }
data=$(cd "$data" && pwd)
source scripts/image-server.sh
start_image_server "$data" "${VITRINE_EXPERIMENT_PORT:-18734}"
"$bin" run pipelines/backbones.yaml --set catalog="$data/products.csv" --set image_server="$image_server" "$@"
echo; echo "Classification (test split), one column per backbone:"
"$bin" metrics --pipeline pipelines/backbones.yaml --stage evaluate
echo; echo "Retrieval quality of each backbone's index (precision@10 by product type):"
"$bin" metrics --pipeline pipelines/backbones.yaml --stage publish
echo; echo "Report with one line per backbone in every chart: pipelines/.vitrine/out/comparison/report.html"
