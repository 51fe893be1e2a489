"""scikit-learn peer for bench-text: TF-IDF (TfidfVectorizer defaults) + top-k cosine neighbours
(NearestNeighbors(metric="cosine", algorithm="brute")) for every product, end to end from the JSON Lines file.

Usage: python sklearn_peer.py CATALOG.jsonl [--k 10] [--neighbours OUT.tsv]
Prints one JSON object: total_s (wall), cpu_s, peak_rss_mib. Self is removed from each neighbour list.
"""
import json, resource, sys, time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors


def main():
    path = sys.argv[1]
    k = int(sys.argv[sys.argv.index("--k") + 1]) if "--k" in sys.argv else 10
    out = sys.argv[sys.argv.index("--neighbours") + 1] if "--neighbours" in sys.argv else None
    t0, c0 = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8") as f:
        titles = [json.loads(line)["title"] for line in f if line.strip()]
    X = TfidfVectorizer().fit_transform(titles)
    nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(X)
    dist, idx = nn.kneighbors(X)
    rows = []
    for q in range(len(titles)):
        pairs = [(int(i), float(d)) for i, d in zip(idx[q], dist[q]) if i != q][:k]
        rows.append(pairs)
    t1, c1 = time.perf_counter(), time.process_time()
    if out:
        with open(out, "w") as f:
            for pairs in rows:
                f.write("\t".join(f"{i} {d!r}" for i, d in pairs) + "\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"products": len(titles), "terms": len(X.indices) and X.shape[1], "total_s": t1 - t0,
                      "cpu_s": c1 - c0, "peak_rss_mib": peak}, sort_keys=True))


if __name__ == "__main__":
    main()
