#!/usr/bin/env bash
# Runs pipelines/demo.yaml on data/demo: serves the demo images from a loopback HTTP server
# (python3's http.server on 127.0.0.1, a free port), runs the pipeline, stops the server, and
# says where the report is. Extra arguments go to `vitrine run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VITRINE_BIN:-.build/release/vitrine}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }

# A fixed port keeps the image URLs (and so the download stage's fingerprint) the same between
# runs, so a second `make run` has nothing to do; a free one is picked only when it is taken.
port=${VITRINE_DEMO_PORT:-18733}
if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
fi
python3 -m http.server "$port" --bind 127.0.0.1 --directory data/demo >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/products.csv')" 2>/dev/null && break
  sleep 0.1
done

set +e
"$bin" run pipelines/demo.yaml --set image_server="http://127.0.0.1:$port/" "$@"
code=$?
set -e
kill $server 2>/dev/null || true
if [ $code -eq 0 ]; then
  cat <<MSG

Done. Open the report:      pipelines/.vitrine/out/report/report.html
Outputs of every stage:     pipelines/.vitrine/out/<stage>/   (vitrine show --pipeline pipelines/demo.yaml)
Published catalog index:    pipelines/index/demo.sqlite
Try a query:                $bin similar --pipeline pipelines/demo.yaml --id 15970
                            $bin similar --pipeline pipelines/demo.yaml --text "blue denim jeans" --method tfidf
MSG
fi
exit $code
