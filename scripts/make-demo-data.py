#!/usr/bin/env python3
"""Builds data/demo/ from the shared Myntra sample (real product photos and metadata).

Deterministic: the same shared data gives the same demo files. Picks up to 130 products of
each of the four largest subCategories and 70 of the rest, keeps their JPEGs unchanged, and adds
three rows whose images do not exist on the demo server (dead links, as in every real catalog).
Usage: python3 scripts/make-demo-data.py [../shared/data/myntra-products-2k] [data/demo]
"""
import csv, os, shutil, sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "myntra-products-2k")
dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data", "demo")
rows = list(csv.DictReader(open(os.path.join(src, "products.csv"), newline="", encoding="utf-8")))
rows.sort(key=lambda r: int(r["id"]))
quota = {"Topwear": 130, "Shoes": 130, "Bottomwear": 130, "Watches": 130}
taken, other, picked = {}, 0, []
for r in rows:
    cat = r["subCategory"]
    if cat in quota:
        if taken.get(cat, 0) >= quota[cat]:
            continue
        taken[cat] = taken.get(cat, 0) + 1
    else:
        if other >= 70:
            continue
        other += 1
    picked.append(r)
os.makedirs(os.path.join(dst, "images"), exist_ok=True)
for r in picked:
    shutil.copyfile(os.path.join(src, r["image"]), os.path.join(dst, r["image"]))
for i, name in enumerate(["Roadster Men Grey Melange Hooded Sweatshirt", "Nike Women Black Running Shoes Revolution", "Fastrack Unisex Black Dial Watch Analog"]):
    dead = dict(picked[i]); dead["id"] = str(90000 + i); dead["image"] = f"images/missing-{90000 + i}.jpg"; dead["productDisplayName"] = name
    picked.append(dead)
with open(os.path.join(dst, "products.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader(); w.writerows(picked)
print(f"{len(picked)} products, {len(picked) - 3} images → {dst}")
