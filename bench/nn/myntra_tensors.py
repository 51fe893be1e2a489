#!/usr/bin/env python3
"""Prepares the Myntra real-data task for bench-nn fit: top 3 subCategories + OTHER, balanced to the
smallest class (seeded), 70/30 split per class, 128x128 RGB (antialiased bilinear resize of the 224 px
JPEGs, decoded by torchvision). Writes .bench/myntra128.safetensors with train/test images (U8 NHWC) and labels (I64).
    .bench/venv/bin/python bench/nn/myntra_tensors.py
"""
import collections, csv, json, pathlib, random, struct
import numpy as np, torch
import torch.nn.functional as F
from torchvision.io import decode_jpeg, read_file

root = pathlib.Path("/work/shared/data/myntra-products-2k")
rows = list(csv.DictReader(open(root / "products.csv")))
counts = collections.Counter(r["subCategory"] for r in rows)
top = [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
classes = sorted(top) + ["OTHER"]
by = collections.defaultdict(list)
for r in rows: by[r["subCategory"] if r["subCategory"] in top else "OTHER"].append(r)
n = min(len(v) for v in by.values())
rng = random.Random(42)
split = {"train": [], "test": []}
for ci, c in enumerate(classes):
    pick = sorted(by[c], key=lambda r: int(r["id"])); rng.shuffle(pick); pick = pick[:n]
    cut = round(0.7 * n)
    split["train"] += [(r, ci) for r in pick[:cut]]; split["test"] += [(r, ci) for r in pick[cut:]]
tensors = {}
for s, items in split.items():
    imgs = []
    for r, _ in items:
        img = decode_jpeg(read_file(str(root / r["image"])))
        if img.shape[0] == 1: img = img.expand(3, -1, -1)
        small = F.interpolate(img[None].float(), size=(128, 128), mode="bilinear", antialias=True, align_corners=False)
        imgs.append(small[0].round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy())
    tensors[f"{s}_images"] = np.stack(imgs)
    tensors[f"{s}_labels"] = np.array([ci for _, ci in items], dtype=np.int64)
header, blobs, off = {"__metadata__": {"classes": json.dumps(classes)}}, [], 0
for k in sorted(tensors):
    a = np.ascontiguousarray(tensors[k]); b = a.tobytes()
    header[k] = {"dtype": "U8" if a.dtype == np.uint8 else "I64", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header, separators=(",", ":")); h += " " * ((8 - (len(h) + 8) % 8) % 8)
out = pathlib.Path(__file__).resolve().parents[2] / ".bench/myntra128.safetensors"
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h.encode()); [f.write(b) for b in blobs]
print(json.dumps({"classes": classes, "per_class": n, "train": len(split["train"]), "test": len(split["test"]), "out": str(out)}))
