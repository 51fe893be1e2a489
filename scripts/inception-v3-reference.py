#!/usr/bin/env python3
"""Reference fixtures for the engine's Inception-v3, from torchvision itself (no ImageNet weights exist on
these machines, so the weights are a deterministic formula both sides compute). Run with the bench venv:

    .bench/venv/bin/python scripts/inception-v3-reference.py

Writes Tests/Fixtures/nn/:
1. inception_v3_torchvision.json: torchvision.models.inception_v3(aux_logits=False, init_weights=False)'s
   state-dict names and shapes (566 entries) and its learnable parameter count
   (sum(p.numel() for p in model.parameters())).
2. inception_v3_parity.safetensors: two Myntra photos (../shared/data/myntra-products-2k ids 10006 and
   10098) resized (antialiased bilinear) to 128x128, uint8 NHWC `images`, and torchvision's logits for
   them (`logits`, float32 [2, 1000]) in eval mode with ImageNet mean/std, after setting every tensor
   of the state dict, taken in sorted-name order k = 0, 1, ..., to
     weights (conv/fc):    sqrt(6 / fan_in) * (2 * h / 2^32 - 1)   (Kaiming-uniform range), where
                           h = hash32((i + k * 0x9E3779B1) mod 2^32), i = flat index, and hash32 is
                           x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16 (mod 2^32)
     batch norm:           weight 1, bias 0, running_mean 0, running_var 1;  fc.bias: 0
   computed in float64 and rounded to float32.
"""
import json, math
import numpy as np
import torch
import torchvision
from fixture_io import out, photos, normalise, safetensors, IMAGENET


def formula(name, shape, k):
    """The deterministic value of tensor `name` (sorted position k); must match ArchitectureTests."""
    n = int(np.prod(shape)) if shape else 1
    if name.endswith(("running_var", "bn.weight")):
        return np.ones(n)
    if name.endswith(("running_mean", "bn.bias", "fc.bias", "num_batches_tracked")):
        return np.zeros(n)
    m = np.uint64(0xFFFFFFFF)
    x = (np.arange(n, dtype=np.uint64) + np.uint64(k) * np.uint64(0x9E3779B1)) & m
    x ^= x >> np.uint64(16); x = (x * np.uint64(0x7FEB352D)) & m
    x ^= x >> np.uint64(15); x = (x * np.uint64(0x846CA68B)) & m
    x ^= x >> np.uint64(16)
    return math.sqrt(6 / (n // shape[0])) * (2 * x.astype(np.float64) / 2**32 - 1)


torch.set_num_threads(2)
model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
sd = model.state_dict()
shapes = {k: list(v.shape) for k, v in sd.items()}
count = sum(p.numel() for p in model.parameters())
with open(out / "inception_v3_torchvision.json", "w") as f:
    json.dump({"torchvision": torchvision.__version__, "learnable": count, "shapes": shapes}, f, indent=0, sort_keys=True)
    f.write("\n")

new = {}
for k, name in enumerate(sorted(sd)):
    v = sd[name]
    new[name] = torch.from_numpy(formula(name, list(v.shape), k).astype(np.float32)).reshape(v.shape).to(v.dtype)
model.load_state_dict(new)
model.eval()

images = photos((10006, 10098), 128)
with torch.no_grad():
    logits = model(normalise(images, *IMAGENET)).numpy().astype(np.float32)
safetensors(out / "inception_v3_parity.safetensors", {"images": images, "logits": logits})
print("learnable", count, "entries", len(sd), "logits: max |x|", float(np.abs(logits).max()), "std", float(logits.std()))
