# Sourced by demo.sh and experiment.sh: `start_image_server DIR PORT` serves DIR on 127.0.0.1
# (python3's http.server; PORT if free, else any free port), sets $image_server to its base URL
# and stops the server when the calling script exits.
start_image_server() {
  local dir=$1 port=$2
  # A fixed port keeps the image URLs (and so the download stage's fingerprint) the same between
  # runs, so a second run has nothing to do; a free one is picked only when it is taken. The check
  # binds with SO_REUSEADDR, as http.server does: a server stopped a moment ago (its connections in
  # TIME_WAIT) does not take the port, else a quick second `make run` would download everything again.
  if ! python3 -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  fi
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
  image_server_pid=$!
  trap 'kill $image_server_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/products.csv')" 2>/dev/null && break
    sleep 0.1
  done
  image_server="http://127.0.0.1:$port/"
}
