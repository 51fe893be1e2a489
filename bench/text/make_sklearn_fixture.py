"""Writes Tests/Fixtures/text/sklearn_tfidf.json: scikit-learn TfidfVectorizer (defaults) vectors and
NearestNeighbors(metric="cosine", algorithm="brute") neighbours for a few real catalog titles.

Run: .bench/venv/bin/python bench/text/make_sklearn_fixture.py
Source of the titles: the first 60 rows of ../shared/data/amazon-apparel-17k.jsonl plus 4 hand-written
edge cases (Unicode letters, digits, underscores, a title with no 2-character token).
"""
import json, os, sys
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
src = os.path.join(root, "..", "shared", "data", "amazon-apparel-17k.jsonl")
titles = []
with open(src, encoding="utf-8") as f:
    for line in f:
        titles.append(json.loads(line)["title"])
        if len(titles) == 60:
            break
titles += ["Café CRÈME Überjacke 2XL", "snake_case tag_2 x y z", "a b c", "Women's T-Shirt 100% cotton, size M—L"]
vec = TfidfVectorizer()
X = vec.fit_transform(titles)
k = 6
nn = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(X)
dist, idx = nn.kneighbors(X)
rows = []
for r in range(X.shape[0]):
    row = X.getrow(r)
    pairs = sorted(zip(row.indices.tolist(), row.data.tolist()))
    rows.append({"columns": [c for c, _ in pairs], "values": [v for _, v in pairs]})
out = {
    "source": "first 60 titles of amazon-apparel-17k.jsonl + 4 edge cases; scikit-learn " + sklearn.__version__,
    "titles": titles,
    "terms": vec.get_feature_names_out().tolist(),
    "idf": vec.idf_.tolist(),
    "rows": rows,
    "k": k,
    "neighbours": idx.tolist(),
    "cosine_distances": dist.tolist(),
}
dst = os.path.join(root, "Tests", "Fixtures", "text", "sklearn_tfidf.json")
with open(dst, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False)
print("wrote", dst, X.shape)
