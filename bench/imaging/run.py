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
    j = json.loads(out.strip().splitlines()[-1])
    return j["median_images_per_second"], j["median_images_per_cpu_second"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build-imaging/release/bench-imaging"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--passes", type=int, default=3, help="timed passes per tool per round (their median counts)")
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
        cpu = {k: [] for k in res}
        for _ in range(a.runs):  # interleaved rounds, one timed pass per tool per round
            cmds = {"vitrine": [a.bin, d, "--workers", w, "--runs", str(a.passes)],
                    "vitrine-in-memory": [a.bin, d, "--workers", w, "--runs", str(a.passes), "--in-memory"],
                    "pillow": [py, peer, "pillow", d, "--workers", w, "--runs", str(a.passes)],
                    "opencv": [py, peer, "opencv", d, "--workers", w, "--runs", str(a.passes)]}
            for k, c in cmds.items():
                wall, per_cpu = last_json(c)
                res[k].append(wall)
                cpu[k].append(per_cpu)
        med = {k: statistics.median(v) for k, v in res.items()}
        cmed = {k: statistics.median(v) for k, v in cpu.items()}
        best_peer = max(med["pillow"], med["opencv"])
        print(f"{name} ({len(os.listdir(d))} images, {w} workers, {a.runs} rounds)")
        for k, v in res.items():
            print(f"  {k:18s} median {med[k]:8.1f} img/s  {cmed[k]:7.1f} img/CPU-s   wall runs {[round(x, 1) for x in v]}")
        print(f"  ratio vitrine / faster peer = {med['vitrine'] / best_peer:.2f}x wall, "
              f"{cmed['vitrine'] / max(cmed['pillow'], cmed['opencv']):.2f}x per CPU-second; "
              f"in-memory ceiling {med['vitrine-in-memory']:.1f} img/s")


if __name__ == "__main__":
    main()
