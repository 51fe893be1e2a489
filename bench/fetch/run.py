#!/usr/bin/env python3
"""Fetch benchmark: vitrine's bench-fetch vs img2dataset (resize_mode=no) on the same 10,000 URLs.

Serves ../shared/data/myntra-products-2k/images from nginx on 127.0.0.1 (2,099 real JPEGs under
10,000 distinct URLs), runs each tool REPS times with the same thread count, and prints medians
of images/s, CPU seconds per image and peak memory (summed RSS of the process tree, sampled every
50 ms). Then kills each tool at 50 % (SIGKILL), resumes it, and counts URLs fetched twice from
the nginx access log.

    python3 bench/fetch/run.py [--reps 3] [--threads 16] [--urls 10000]
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = (REPO.parent / "shared/data/myntra-products-2k/images") if (REPO.parent / "shared/data").exists() else Path("/work/shared/data/myntra-products-2k/images")
WORK = REPO / ".bench/fetch"
VENV = REPO / ".bench/venv/bin"
BENCH = REPO / ".build-fetch/release/bench-fetch"


def tree_rss_kib(root_pid):
    """Summed RSS (KiB) of root_pid and all its descendants."""
    children = {}
    rss = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            ppid = int(parts[1])
            children.setdefault(ppid, []).append(int(d))
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            pass
    total, stack = 0, [root_pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def measure(cmd, kill_when=None, env=None):
    """Runs cmd; returns wall s, CPU s (children rusage), peak tree RSS MiB, and whether it was killed."""
    before = os.times()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    peak, killed = 0, False
    while p.poll() is None:
        peak = max(peak, tree_rss_kib(p.pid))
        if kill_when is not None and kill_when():
            os.killpg(p.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    out, err = p.communicate()
    wall = time.monotonic() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "peak_mib": peak / 1024, "killed": killed, "rc": p.returncode,
            "stdout": out.decode(errors="replace"), "stderr": err.decode(errors="replace")}


def start_nginx(port):
    prefix = WORK / "nginx"
    shutil.rmtree(prefix, ignore_errors=True)
    (prefix / "tmp").mkdir(parents=True)
    conf = (HERE / "nginx.conf.in").read_text().replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port)).replace("@ROOT@", str(DATA))
    (prefix / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], start_new_session=True)
    time.sleep(0.5)
    return proc, prefix / "access.log"


def access_paths(log, start_line):
    with open(log) as f:
        lines = f.readlines()[start_line:]
    return [m.group(1) for m in (re.search(r'"GET (\S+) ', l) for l in lines) if m]


def count_lines(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def ours_cmd(urls, out, threads):
    return [str(BENCH), "--urls", str(urls), "--out", str(out), "--concurrency", str(threads), "--per-host", str(threads)]


def peer_cmd(urls, out, threads):
    return [str(VENV / "img2dataset"), f"--url_list={urls}", "--input_format=txt", f"--output_folder={out}",
            f"--thread_count={threads}", "--processes_count=1", "--resize_mode=no", "--output_format=files",
            "--enable_wandb=False", "--timeout=10"]


def peer_done(out):
    n = 0
    for _, _, files in os.walk(out):
        n += sum(1 for f in files if f.endswith(".jpg"))
    return n


def stored_urls(tool, out, urls):
    """Request paths of the images a tool had stored when it was killed."""
    lines = urls.read_text().split()
    path = lambda u: "/" + u.split("/", 3)[3]
    if tool == "vitrine":
        try:
            text = (out / "journal.tsv").read_text()
        except OSError:
            return set()
        return {path(l.split("\t")[0]) for l in text.splitlines() if "\t" in l and "failed:" not in l}
    keys = set()
    for _, _, files in os.walk(out):
        keys.update(int(f[:-4]) for f in files if f.endswith(".jpg") and f[:-4].isdigit())
    return {path(lines[k]) for k in keys if k < len(lines)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--urls", type=int, default=10000)
    ap.add_argument("--port", type=int, default=18931)
    ap.add_argument("--skip-kill", action="store_true")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    files = sorted(os.listdir(DATA))
    urls = WORK / "urls.txt"
    urls.write_text("".join(f"http://127.0.0.1:{a.port}/r/{k}/{files[k % len(files)]}\n" for k in range(a.urls)))
    nginx, log = start_nginx(a.port)
    results = {"vitrine": [], "img2dataset": []}
    try:
        for rep in range(a.reps):
            for tool, make in (("vitrine", ours_cmd), ("img2dataset", peer_cmd)):
                out = WORK / f"out-{tool}"
                shutil.rmtree(out, ignore_errors=True)
                start = count_lines(log)
                r = measure(make(urls, out, a.threads))
                served = len(access_paths(log, start))
                done = (json.loads(r["stdout"].strip().splitlines()[-1])["fetched"] if tool == "vitrine" else peer_done(out))
                row = {"rep": rep, "images": done, "requests": served, "wall_s": round(r["wall"], 2),
                       "images_per_s": round(done / r["wall"], 1), "cpu_s_per_image": round(r["cpu"] / max(done, 1), 6),
                       "peak_mib": round(r["peak_mib"], 1), "rc": r["rc"]}
                results[tool].append(row)
                print(tool, json.dumps(row), flush=True)
                if r["rc"] != 0:
                    print(r["stderr"][-2000:], file=sys.stderr)
        med = {}
        for tool, rows in results.items():
            med[tool] = {k: statistics.median(r[k] for r in rows) for k in ("images_per_s", "cpu_s_per_image", "peak_mib", "wall_s")}
            print(f"median {tool}: {json.dumps(med[tool])}")
        print(f"ratio images/s vitrine/img2dataset: {med['vitrine']['images_per_s'] / med['img2dataset']['images_per_s']:.2f}x; "
              f"peak memory vitrine/img2dataset: {med['vitrine']['peak_mib'] / med['img2dataset']['peak_mib']:.3f}; "
              f"CPU s/image img2dataset/vitrine: {med['img2dataset']['cpu_s_per_image'] / med['vitrine']['cpu_s_per_image']:.2f}x")
        if not a.skip_kill:
            half = a.urls // 2
            for tool, make, progress in (("vitrine", ours_cmd, lambda out: count_lines(out / "journal.tsv")),
                                         ("img2dataset", peer_cmd, peer_done)):
                out = WORK / f"kill-{tool}"
                shutil.rmtree(out, ignore_errors=True)
                start = count_lines(log)
                first = measure(make(urls, out, a.threads), kill_when=lambda: progress(out) >= half)
                before = progress(out)
                stored_before = stored_urls(tool, out, urls)
                second = measure(make(urls, out, a.threads))
                paths = access_paths(log, start)
                counts = {}
                for p in paths:
                    counts[p] = counts.get(p, 0) + 1
                twice = sum(1 for c in counts.values() if c > 1)
                stored_again = sum(1 for u in stored_before if counts.get(u, 0) > 1)
                print(f"kill@50% {tool}: killed={first['killed']} stored before kill={before}, requests total={len(paths)}, "
                      f"URLs fetched more than once={twice} (of which already stored before the kill: {stored_again}), "
                      f"after resume stored={progress(out)}, resume rc={second['rc']}", flush=True)
                if second["rc"] != 0:
                    print(second["stderr"][-2000:], file=sys.stderr)
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait()


if __name__ == "__main__":
    main()
