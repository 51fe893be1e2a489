"""Runs bench-text (Swift) and the scikit-learn peer side by side, alternating, and prints medians,
the speed ratio and a same-neighbours check; with --write, also writes bench/text/RESULTS.md.

Usage (from the repository root):
  VITRINE_ONLY=bench-text swift build -c release --scratch-path .build-catalog-rel --product bench-text
  .bench/venv/bin/python bench/text/run_bench.py [--runs 5] [--write] [--big-array]
"""
import json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data", "amazon-apparel-17k.jsonl")
SWIFT = os.path.join(ROOT, ".build-catalog-rel", "release", "bench-text")
PEER = os.path.join(ROOT, "bench", "text", "sklearn_peer.py")


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def read_tsv(path):
    rows = []
    with open(path) as f:
        for line in f:
            rows.append([(int(p.split()[0]), float(p.split()[1])) for p in line.rstrip("\n").split("\t")])
    return rows


def compare(ours, theirs, tol=1e-6):
    """Rank-by-rank distance agreement, and id agreement where the distance is not tied at the k-th place."""
    max_diff, same_sets, untied = 0.0, 0, 0
    for a, b in zip(ours, theirs):
        for (_, da), (_, db) in zip(a, b):
            max_diff = max(max_diff, abs(da - db))
        kth = b[-1][1]
        sure_a = {i for i, d in a if d < kth - tol}
        sure_b = {i for i, d in b if d < kth - tol}
        untied += 1
        same_sets += sure_a == sure_b
    return max_diff, same_sets, untied


def big_array(tmp):
    """A ~260 MB JSON array export built by repeating the real catalog with fresh asins."""
    path = os.path.join(tmp, "export-big.json")
    with open(DATA, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        first = True
        rep = 0
        while out.tell() < 260 * 1024 * 1024:
            for r in rows:
                r2 = dict(r); r2["asin"] = f"{r['asin']}-{rep}"
                out.write(("" if first else ",\n") + json.dumps(r2)); first = False
            rep += 1
        out.write("\n]\n")
    return path


def main():
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        o_tsv, t_tsv = os.path.join(tmp, "ours.tsv"), os.path.join(tmp, "theirs.tsv")
        for i in range(runs):
            ours.append(run([SWIFT, DATA, "--mode", "sklearn", "--threads", "2", "--neighbours", o_tsv]))
            theirs.append(run([sys.executable, PEER, DATA, "--neighbours", t_tsv]))
            print(f"run {i + 1}: swift {ours[-1]['tfidf_topk_total_s']:.3f} s, sklearn {theirs[-1]['total_s']:.3f} s", flush=True)
        max_diff, same_sets, total = compare(read_tsv(o_tsv), read_tsv(t_tsv))
        big = None
        if "--big-array" in sys.argv:
            big = run([SWIFT, big_array(tmp), "--load-only"])
    med = lambda xs: statistics.median(xs)
    s_wall, p_wall = med([r["tfidf_topk_total_s"] for r in ours]), med([r["total_s"] for r in theirs])
    s_cpu, p_cpu = med([r["cpu_tfidf_topk_total_s"] for r in ours]), med([r["cpu_s"] for r in theirs])
    dd_wall, dd_cpu = med([r["dedupe_near_s"] for r in ours]), med([r["cpu_dedupe_near_s"] for r in ours])
    s_rss, p_rss = max(r["peak_rss_mib"] for r in ours), max(r["peak_rss_mib"] for r in theirs)
    lines = [
        f"TF-IDF + top-10, 17,593 products, end to end from JSONL, median of {runs} alternating runs:",
        f"  vitrine (bench-text, 2 threads): wall {s_wall:.3f} s, cpu {s_cpu:.3f} s, peak RSS {s_rss:.0f} MiB",
        f"  scikit-learn (TfidfVectorizer + NearestNeighbors brute cosine): wall {p_wall:.3f} s, cpu {p_cpu:.3f} s, peak RSS {p_rss:.0f} MiB",
        f"  ratio (sklearn / vitrine): wall {p_wall / s_wall:.1f}x, cpu {p_cpu / s_cpu:.1f}x, memory {p_rss / s_rss:.1f}x less",
        f"  same neighbours: max |distance difference| per rank {max_diff:.2e}; neighbour sets equal (outside k-th place ties) for {same_sets}/{total} products",
        f"near-duplicate dedupe (research rule, <3 differing word positions), 17,593 titles: wall {dd_wall:.3f} s, cpu {dd_cpu:.3f} s (median), kept {ours[-1]['dedupe_kept']}",
    ]
    if big:
        lines.append(f"streaming JSON array load: {big['file_mib']:.0f} MiB file, {big['rows']} rows in {big['load_s']:.2f} s, "
                     f"peak RSS {big['peak_rss_mib']:.0f} MiB ({big['peak_rss_mib'] / big['file_mib']:.2f}x file size)")
    print("\n".join(lines))
    if "--write" in sys.argv:
        with open(os.path.join(ROOT, "bench", "text", "RESULTS.md"), "w") as f:
            f.write("# Text benchmark results\n\nMachine: 2-core shared dev box, noisy (several other builds running; load average "
                    f"{os.getloadavg()[0]:.1f} at the end). Numbers are medians; CPU time is less sensitive to the noise than wall time.\n\n")
            f.write("Command:\n\n```\nVITRINE_ONLY=bench-text swift build -c release --scratch-path .build-catalog-rel --product bench-text\n"
                    f".bench/venv/bin/python bench/text/run_bench.py --runs {runs} --write" + (" --big-array" if big else "") + "\n```\n\n")
            f.write("```\n" + "\n".join(lines) + "\n```\n")


if __name__ == "__main__":
    main()
