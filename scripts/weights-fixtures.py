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
import json, pathlib, struct, sys
import numpy as np
import torch, torchvision
from torchvision.io import decode_jpeg, read_file
import torch.nn.functional as F

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "Tests/Fixtures/nn"
out.mkdir(parents=True, exist_ok=True)
data = root.parent / "shared/data/myntra-products-2k/images"
if not data.exists():
    data = pathlib.Path("/work/shared/data/myntra-products-2k/images")

def safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype("uint8"): "U8", np.dtype("float32"): "F32"}[a.dtype]
        b = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b); offset += len(b)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h.encode()); [f.write(b) for b in blobs]

torch.set_num_threads(2)
images = []
for pid in (10003, 10017, 10057):
    img = decode_jpeg(read_file(str(data / f"{pid}.jpg")))  # uint8 [3, 224, 224]
    small = F.interpolate(img[None].float(), size=(112, 112), mode="bilinear", antialias=True, align_corners=False)
    images.append(small[0].round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy())
images = np.stack(images)  # [3, 112, 112, 3]
model = torchvision.models.mobilenet_v2()
model.load_state_dict(torch.load(root / ".weights/mobilenet_v2-b0353104.pth", map_location="cpu"))
model.eval()
x = torch.from_numpy(images).float().div(255).permute(0, 3, 1, 2)
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
with torch.no_grad():
    logits = model((x - mean) / std).numpy().astype(np.float32)
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
