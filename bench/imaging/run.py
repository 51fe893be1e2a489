"""Imaging benchmark: decode + fit to 128 px on 2 workers, Vitrine vs Pillow vs OpenCV.

    swift build -c release --product bench-imaging --scratch-path .build-imaging
    .bench/venv/bin/python bench/imaging/make_large.py        # once: .bench/large/ (300 x 1500 px progressive)
    .bench/venv/bin/python bench/imaging/run.py [--runs 5] [--bin .build-imaging/release/bench-imaging]

Runs the tools interleaved (ours, Pillow, OpenCV, repeated) so machine noise hits all of them
alike, and prints the median images/s of each and our ratio to the faster peer.
"""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def last_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_images_per_second"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build-imaging/release/bench-imaging"))
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    py = sys.executable
    peer = os.path.join(HERE, "peer.py")
    sets = {"myntra-224": os.path.join(ROOT, "..", "shared", "data", "myntra-products-2k", "images"),
            "large-1500-progressive": os.path.join(ROOT, ".bench", "large")}
    w = str(a.workers)
    for name, d in sets.items():
        if not os.path.isdir(d):
            print(f"skip {name}: {d} missing (run make_large.py)")
            continue
        res = {"vitrine": [], "vitrine-in-memory": [], "pillow": [], "opencv": []}
        for _ in range(a.runs):  # interleaved rounds, one timed pass per tool per round
            res["vitrine"].append(last_json([a.bin, d, "--workers", w, "--runs", "1"]))
            res["vitrine-in-memory"].append(last_json([a.bin, d, "--workers", w, "--runs", "1", "--in-memory"]))
            res["pillow"].append(last_json([py, peer, "pillow", d, "--workers", w, "--runs", "1"]))
            res["opencv"].append(last_json([py, peer, "opencv", d, "--workers", w, "--runs", "1"]))
        med = {k: statistics.median(v) for k, v in res.items()}
        best_peer = max(med["pillow"], med["opencv"])
        print(f"{name} ({len(os.listdir(d))} images, {w} workers, {a.runs} rounds)")
        for k, v in res.items():
            print(f"  {k:18s} median {med[k]:8.1f} img/s   runs {[round(x, 1) for x in v]}")
        print(f"  ratio vitrine / faster peer = {med['vitrine'] / best_peer:.2f}x; in-memory ceiling {med['vitrine-in-memory']:.1f} img/s")


if __name__ == "__main__":
    main()
