#!/usr/bin/env python3
"""Makes the NeuralNet test fixtures in Tests/Fixtures/nn/ (run with the bench venv, which has torch + torchvision):

    .bench/venv/bin/python scripts/weights-fixtures.py

1. mobilenet_v2_parity.safetensors: three real Myntra product photos (../shared/data/myntra-products-2k,
   ids 10003, 10017, 10057), decoded by torchvision and resized (antialiased bilinear) to 112x112, as uint8
   NHWC `images`, and torchvision MobileNetV2's ImageNet logits for them (`logits`, float32 [3, 1000]),
   computed on the CPU in float32 from .weights/mobilenet_v2-b0353104.pth with ImageNet mean/std.
2. tiny_legacy.pth / tiny_zip.pth: a small state dict (float32, float64, int64, a non-contiguous view)
   written by torch.save in the legacy and the zip format, for the reader's round-trip tests.
"""
import numpy as np
import torch, torchvision
from fixture_io import root, out, photos, normalise, safetensors, IMAGENET

out.mkdir(parents=True, exist_ok=True)
torch.set_num_threads(2)
images = photos((10003, 10017, 10057), 112)  # [3, 112, 112, 3]
model = torchvision.models.mobilenet_v2()
model.load_state_dict(torch.load(root / ".weights/mobilenet_v2-b0353104.pth", map_location="cpu"))
model.eval()
with torch.no_grad():
    logits = model(normalise(images, *IMAGENET)).numpy().astype(np.float32)
safetensors(out / "mobilenet_v2_parity.safetensors", {"images": images, "logits": logits})
print("top-5:", np.argsort(-logits, axis=1)[:, :5].tolist())

state = {
    "conv.weight": (torch.arange(24, dtype=torch.float32) * 0.5).reshape(2, 3, 2, 2),
    "view.t": torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
    "bn.num_batches_tracked": torch.tensor(7),
    "double.values": torch.tensor([1.5, -2.0], dtype=torch.float64),
}
torch.save(state, out / "tiny_legacy.pth", _use_new_zipfile_serialization=False)
torch.save(state, out / "tiny_zip.pth")
print("wrote", sorted(p.name for p in out.iterdir()))
