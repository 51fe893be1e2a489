"""Peers for bench-search: FAISS IndexFlatIP and numpy (blocked matmul + argpartition) on the
same vectors.npy that bench-search wrote; prints medians, ratios and neighbour-set agreement."""
import os
import sys
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


def main():
    folder, k, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    x = np.load(os.path.join(folder, "vectors.npy"))
    ours = np.load(os.path.join(folder, "ours_indices.npy"))
    ours_median = float(open(os.path.join(folder, "ours_median.txt")).read())
    results = {}
    for name, fn in (("faiss IndexFlatIP", lambda: faiss_topk(x, k, threads)), ("numpy argpartition", lambda: numpy_topk(x, k))):
        times, idx = [], None
        for r in range(repeats):
            t = time.perf_counter()
            idx = fn()
            times.append(time.perf_counter() - t)
            print(f"{name} run {r + 1}: {times[-1]:.3f} s", flush=True)
        results[name] = (median(times), idx)
    print(f"\nvitrine (ExactSearchIndex.allPairs): median {ours_median:.3f} s")
    for name, (m, idx) in results.items():
        same_set, same_list = agreement(ours, idx)
        print(f"{name}: median {m:.3f} s; peer/vitrine time ratio {m / ours_median:.2f}x; "
              f"rows with identical neighbour set {same_set:.4%}, identical order {same_list:.4%}")


if __name__ == "__main__":
    main()
