"""Peers for bench-search: FAISS IndexFlatIP and numpy (blocked matmul + argpartition) on the
same vectors.npy that bench-search wrote; prints medians, ratios and neighbour-set agreement."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def median(xs):
    return sorted(xs)[len(xs) // 2]


def faiss_topk(x, k, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    _, idx = index.search(x, k + 1)
    return drop_self(idx, k)


def numpy_topk(x, k, block=2048):
    n = x.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    for s in range(0, n, block):
        sims = x[s:s + block] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, s + rows] = -np.inf
        part = np.argpartition(-sims, k, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -vals), axis=1)
        out[s:s + block] = np.take_along_axis(part, order, axis=1)
    return out


def drop_self(idx, k):
    out = np.empty((idx.shape[0], k), dtype=np.int64)
    for i, row in enumerate(idx):
        row = [j for j in row if j != i][:k]
        out[i] = row
    return out


def agreement(a, b):
    same_set = np.mean([set(x) == set(y) for x, y in zip(a, b)])
    same_list = np.mean([list(x) == list(y) for x, y in zip(a, b)])
    return same_set, same_list


def run_ours(binary, rows, k, threads, out=None):
    cmd = [binary, "--rows", str(rows), "--dim", "1280", "--k", str(k), "--threads", str(threads), "--repeat", "1"]
    if out:
        cmd += ["--out", out]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median ([0-9.]+) s", text).group(1))


def main():
    """Interleaves the three contenders each repeat (ours, FAISS, numpy) so load drift on a
    shared machine hits them alike; reports medians, ratios and neighbour agreement."""
    binary, rows, k, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    folder = tempfile.mkdtemp()
    times = {"vitrine ExactSearchIndex.allPairs": [], "faiss IndexFlatIP": [], "numpy argpartition": []}
    x = ours = None
    peer_idx = {}
    for r in range(repeats):
        t = run_ours(binary, rows, k, threads, out=folder if r == 0 else None)
        times["vitrine ExactSearchIndex.allPairs"].append(t)
        if x is None:
            x = np.load(os.path.join(folder, "vectors.npy"))
            ours = np.load(os.path.join(folder, "ours_indices.npy"))
        for name, fn in (("faiss IndexFlatIP", lambda: faiss_topk(x, k, threads)), ("numpy argpartition", lambda: numpy_topk(x, k))):
            start = time.perf_counter()
            peer_idx[name] = fn()
            times[name].append(time.perf_counter() - start)
        print(f"repeat {r + 1}: " + ", ".join(f"{n} {v[-1]:.3f} s" for n, v in times.items()), flush=True)
    ours_median = median(times["vitrine ExactSearchIndex.allPairs"])
    print(f"\nall-pairs top-{k}, {rows} x 1280 float32, {threads} threads, {repeats} repeats (medians)")
    print(f"vitrine ExactSearchIndex.allPairs: {ours_median:.3f} s")
    for name, idx in peer_idx.items():
        m = median(times[name])
        same_set, same_list = agreement(ours, idx)
        print(f"{name}: {m:.3f} s; peer/vitrine = {m / ours_median:.2f}x; "
              f"rows with identical neighbour set {same_set:.4%}, identical order {same_list:.4%}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
