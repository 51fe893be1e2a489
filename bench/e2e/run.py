#!/usr/bin/env python3
"""End-to-end benchmark: download + prepare (decode, fit to 128 px) from loopback nginx,
`vitrine run` (catalog.load -> images.download -> images.prepare) vs img2dataset (image_size=128,
resize_mode=border), on the same URLs.

Reuses bench/fetch/run.py (imported, not copied): its nginx config and start-up (`start_nginx`, pointed at
another folder and port), its process-tree measurement (`measure`: wall, CPU of the tree, summed tree RSS
sampled every 50 ms) and its access-log helpers. Every command is also wrapped in `/usr/bin/time -v`, whose
"Maximum resident set size" is the largest single process (for img2dataset's 2 worker processes the tree sum
is the fairer figure; both are reported).

Two URL sets, N URLs each (default 10,000), served as /r/<k>/<file>:
  distinct  N distinct JPEGs: image k % 2,099 of ../shared/data/myntra-products-2k/images with a JPEG comment
            segment ("vitrine e2e <k>") inserted after APP0, so every URL has different bytes (distinct
            sha256) and identical pixels and decode cost. Both tools decode all N. The headline.
  repeated  bench/fetch's URL set: the 2,099 real JPEGs repeated under N distinct URLs. Vitrine's blob store
            is content-addressed, so images.prepare decodes only the 2,099 distinct images; img2dataset
            decodes all N. Reported as the catalog-with-duplicates case, not as the like-for-like number.

    python3 bench/e2e/run.py [--reps 3] [--urls 10000] [--sets distinct,repeated] [--vitrine PATH]
"""
import argparse, csv, importlib.util, json, os, re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
_spec = importlib.util.spec_from_file_location("fetch_run", REPO / "bench/fetch/run.py")
fetch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch)

IMAGES = fetch.DATA                          # ../shared/data/myntra-products-2k/images
PRODUCTS = IMAGES.parent / "products.csv"    # labels: subCategory (top 3 + OTHER)
WORK = REPO / ".bench/e2e"
VENV = fetch.VENV
VITRINE = REPO / ".build/release/vitrine"
TIME = "/usr/bin/time"


def labels_by_file():
    """image file name -> subCategory folded to the 3 most frequent + OTHER."""
    rows = list(csv.DictReader(open(PRODUCTS, newline="")))
    counts = {}
    for r in rows:
        counts[r["subCategory"]] = counts.get(r["subCategory"], 0) + 1
    top = sorted(counts, key=lambda c: -counts[c])[:3]
    return {Path(r["image"]).name: (r["subCategory"] if r["subCategory"] in top else "OTHER") for r in rows}


def with_comment(jpeg, text):
    """The same JPEG with a COM segment after SOI+APP0: different bytes, identical pixels."""
    assert jpeg[:2] == b"\xff\xd8"
    at = 2
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + int.from_bytes(jpeg[4:6], "big")
    body = text.encode()
    return jpeg[:at] + b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body + jpeg[at:]


def url_set(kind, n, port, files):
    """(nginx root, [(url, source file name)]) for one URL set; the distinct files are made once."""
    if kind == "repeated":  # bench/fetch/run.py's URL list, same form
        return IMAGES, [(f"http://127.0.0.1:{port}/r/{k}/{files[k % len(files)]}", files[k % len(files)]) for k in range(n)]
    root = WORK / f"distinct-{n}"
    stamp = root / ".complete"
    if not stamp.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        cache = {}
        for k in range(n):
            src = files[k % len(files)]
            if src not in cache:
                cache[src] = (IMAGES / src).read_bytes()
            (root / f"u{k}.jpg").write_bytes(with_comment(cache[src], f"vitrine e2e {k}"))
        stamp.write_text(str(n))
    return root, [(f"http://127.0.0.1:{port}/r/{k}/u{k}.jpg", files[k % len(files)]) for k in range(n)]


PIPELINE = """\
# bench/e2e: download + prepare, written by bench/e2e/run.py
stages:
  load:
    uses: catalog.load
    with:
      path: {catalog}
      format: csv
      id_column: id
  download:
    uses: images.download
    with:
      input: load.products
      id_column: id
      url_column: url
      allow_loopback: true
      concurrency: {concurrency}
      per_host: {concurrency}
  prepare:
    uses: images.prepare
    with:
      input: load.products
      images: download.images
      id_column: id
      size: 128
      mode: pad
      label_column: label
      split_column: split
"""


def write_inputs(folder, urls, labels, concurrency):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "products.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "url", "label", "split"])
        for k, (u, src) in enumerate(urls):
            w.writerow([k, u, labels.get(src, "OTHER"), "train"])
    (folder / "urls.txt").write_text("".join(u + "\n" for u, _ in urls))
    (folder / "p.yaml").write_text(PIPELINE.format(catalog=folder / "products.csv", concurrency=concurrency))


def timed(cmd, log):
    """fetch.measure around `/usr/bin/time -v`; the tool's stdout+stderr go to `log` (never a pipe that fills)."""
    tv = log.with_suffix(".time")
    tv.unlink(missing_ok=True)
    wrapped = ["sh", "-c", 'log=$1; shift; exec "$@" >"$log" 2>&1', "sh", str(log)] + cmd
    if os.access(TIME, os.X_OK):  # GNU time (Debian package `time`); without it only the tree sum is reported
        wrapped = [TIME, "-v", "-o", str(tv)] + wrapped
    r = fetch.measure(wrapped)
    text = tv.read_text() if tv.exists() else ""
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    r["maxrss_mib"] = int(m.group(1)) / 1024 if m else float("nan")
    r["log"] = log.read_text(errors="replace") if log.exists() else ""
    return r


def npy_rows(path):
    """First dimension of a .npy file's shape (header only)."""
    with open(path, "rb") as f:
        head = f.read(256).decode("latin1")
    m = re.search(r"'shape': \((\d+)", head)
    return int(m.group(1)) if m else -1


# Outputs kept until the end of the run (see `--delete-each`): removing a repetition's ~10,000 files right
# before the next one makes that one's file creation slow on this box's journal-less ext4, which skips each
# inode freed in the last 30 s (5.5 min while its inode table block is dirty) one by one — a cost of the
# benchmark's own clean-up that neither a nightly run nor img2dataset (two tar files) pays.
LEFT = []


def discard(path, delete_each):
    """Removes a repetition's output now (`--delete-each`) or at the end of the run."""
    if delete_each:
        shutil.rmtree(path, ignore_errors=True)
    else:
        LEFT.append(path)


def vitrine_once(folder, n, threads, vitrine, delete_each):
    state = Path(tempfile.mkdtemp(prefix="vitrine-e2e-state-", dir="/tmp"))
    try:
        cmd = [str(vitrine), "run", str(folder / "p.yaml"), "--state", str(state), "--no-report",
               "--log-format", "plain", "--threads", str(threads)]
        r = timed(cmd, folder / "vitrine.log")
        ran = re.search(r"(\d+) ran", r["log"])
        npys = list(state.rglob("train_images.npy"))
        rows = npy_rows(npys[0]) if npys else -1
        sheets = list(state.rglob("contact_sheet.html"))
        ok = r["rc"] == 0 and ran is not None and ran.group(1) == "3" and rows == n and bool(sheets)
        return r, rows, (f"{ran.group(0)}" if ran else "no 'N ran'"), ok, cmd
    finally:
        discard(state, delete_each)


def peer_once(folder, n, procs, threads, fmt, delete_each):
    out = Path(tempfile.mkdtemp(prefix="img2dataset-e2e-out-", dir="/tmp"))
    shutil.rmtree(out)
    try:
        per_shard = -(-n // procs)  # one shard per process, so every process has work
        cmd = [str(VENV / "img2dataset"), f"--url_list={folder / 'urls.txt'}", "--input_format=txt",
               f"--output_folder={out}", f"--thread_count={threads}", f"--processes_count={procs}",
               f"--number_sample_per_shard={per_shard}", "--image_size=128", "--resize_mode=border",
               f"--output_format={fmt}", "--encode_format=jpg", "--enable_wandb=False", "--timeout=10"]
        r = timed(cmd, folder / "img2dataset.log")
        done = sum(json.loads(p.read_text()).get("successes", 0) for p in out.glob("*_stats.json"))
        size = None
        jpgs = sorted(out.rglob("*.jpg"))
        if jpgs:
            from PIL import Image  # the venv's Pillow: check one thumbnail is 128x128
            with Image.open(jpgs[0]) as im:
                size = im.size
        else:
            import tarfile, io
            tars = sorted(out.glob("*.tar"))
            if tars:
                with tarfile.open(tars[0]) as t:
                    first = next((m for m in t if m.name.endswith(".jpg")), None)
                    if first is not None:
                        from PIL import Image
                        with Image.open(io.BytesIO(t.extractfile(first).read())) as im:
                            size = im.size
        ok = r["rc"] == 0 and done == n
        return r, done, f"thumbnail {size}", ok, cmd
    finally:
        discard(out, delete_each)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--urls", type=int, default=10000)
    ap.add_argument("--sets", default="distinct,repeated")
    ap.add_argument("--tools", default="vitrine,img2dataset")
    ap.add_argument("--vitrine", default=str(VITRINE))
    ap.add_argument("--threads", type=int, default=2, help="vitrine run --threads")
    ap.add_argument("--concurrency", type=int, default=16, help="vitrine transfers in flight (and per host)")
    ap.add_argument("--peer-processes", type=int, default=2)
    ap.add_argument("--peer-threads", type=int, default=16, help="img2dataset thread_count (per process)")
    ap.add_argument("--peer-format", default="webdataset", choices=["files", "webdataset"])
    ap.add_argument("--port", type=int, default=18932)
    ap.add_argument("--delete-each", action="store_true",
                    help="remove each repetition's output right after it (before 2026-11-27 the only way) instead of at the end")
    a = ap.parse_args()
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin"
    tools = a.tools.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    files = sorted(os.listdir(IMAGES))
    labels = labels_by_file()
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(open('/proc/loadavg').read().split()[:3])}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    summary = {}
    for kind in a.sets.split(","):
        root, urls = url_set(kind, a.urls, a.port, files)
        folder = WORK / kind
        write_inputs(folder, urls, labels, a.concurrency)
        fetch.DATA, fetch.WORK = root, WORK / f"nginx-{kind}"   # start_nginx serves DATA, prefix WORK/nginx
        fetch.WORK.mkdir(parents=True, exist_ok=True)
        nginx, access = fetch.start_nginx(a.port)
        rows = {t: [] for t in tools}
        try:
            for rep in range(a.reps):
                for tool in tools:
                    load = " ".join(open("/proc/loadavg").read().split()[:3])
                    start = fetch.count_lines(access)
                    if tool == "vitrine":
                        r, done, check, ok, cmd = vitrine_once(folder, a.urls, a.threads, a.vitrine, a.delete_each)
                    else:
                        r, done, check, ok, cmd = peer_once(folder, a.urls, a.peer_processes, a.peer_threads, a.peer_format,
                                                            a.delete_each)
                    served = len(fetch.access_paths(access, start))
                    row = {"set": kind, "rep": rep, "images": done, "requests": served, "wall_s": round(r["wall"], 2),
                           "images_per_s": round(a.urls / r["wall"], 1), "cpu_s": round(r["cpu"], 2),
                           "tree_peak_mib": round(r["peak_mib"], 1), "maxrss_mib": round(r["maxrss_mib"], 1),
                           "rc": r["rc"], "check": check, "ok": ok, "load": load}
                    rows[tool].append(row)
                    print(tool, json.dumps(row), flush=True)
                    if rep == 0:
                        print(f"  command: {' '.join(cmd)}", flush=True)
                    if not ok:
                        print(r["log"][-3000:], file=sys.stderr, flush=True)
        finally:
            os.killpg(nginx.pid, 15)
            nginx.wait()
        med = {t: {k: statistics.median(x[k] for x in rs) for k in ("wall_s", "images_per_s", "cpu_s", "tree_peak_mib", "maxrss_mib")}
               for t, rs in rows.items() if rs}
        for t, m in med.items():
            print(f"median {kind} {t}: {json.dumps(m)}", flush=True)
        if "vitrine" in med and "img2dataset" in med:
            v, p = med["vitrine"], med["img2dataset"]
            print(f"ratio {kind}: images/s vitrine/img2dataset {v['images_per_s'] / p['images_per_s']:.2f}x; "
                  f"peak memory (tree sum) vitrine/img2dataset {v['tree_peak_mib'] / p['tree_peak_mib']:.3f}; "
                  f"max RSS (time -v) {v['maxrss_mib'] / p['maxrss_mib']:.3f}; "
                  f"CPU s img2dataset/vitrine {p['cpu_s'] / v['cpu_s']:.2f}x", flush=True)
        summary[kind] = rows
    print(f"machine: load average {' '.join(open('/proc/loadavg').read().split()[:3])}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    if any(not x["ok"] for rs in summary.values() for t in rs.values() for x in t):
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    finally:
        if LEFT:
            print(f"removing the {len(LEFT)} outputs kept until the end (--delete-each removes each at once)", flush=True)
            for path in LEFT:
                shutil.rmtree(path, ignore_errors=True)
