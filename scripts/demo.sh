#!/usr/bin/env bash
# Runs pipelines/demo.yaml on data/demo: serves the demo images from a loopback HTTP server,
# runs the pipeline, stops the server, and says where the report is. Extra arguments go to `vitrine run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VITRINE_BIN:-.build/release/vitrine}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }
source scripts/image-server.sh
start_image_server data/demo "${VITRINE_DEMO_PORT:-18733}"

set +e
"$bin" run pipelines/demo.yaml --set image_server="$image_server" "$@"
code=$?
set -e
if [ $code -eq 0 ]; then
  cat <<MSG

Done. Open the report:      pipelines/.vitrine/out/report/report.html
Run report (DAG, status):   pipelines/.vitrine/reports/run-<N>.html   (vitrine report --pipeline pipelines/demo.yaml)
Outputs of every stage:     pipelines/.vitrine/out/<stage>/   (vitrine show --pipeline pipelines/demo.yaml)
Published catalog index:    pipelines/index/demo.sqlite
Try a query:                $bin similar --pipeline pipelines/demo.yaml --id 10000
                            $bin similar --pipeline pipelines/demo.yaml --image data/demo/images/10017.jpg
                            $bin similar --pipeline pipelines/demo.yaml --text "blue jeans" --method tfidf
MSG
fi
exit $code
