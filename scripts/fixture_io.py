"""Shared helpers of the NeuralNet fixture scripts (weights-fixtures.py, efficientnet-lite0-reference.py,
inception-v3-reference.py): where things are, a minimal safetensors writer and the photo loader."""
import json, pathlib, struct
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.io import decode_jpeg, read_file

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "Tests/Fixtures/nn"
data = root.parent / "shared/data/myntra-products-2k/images"
if not data.exists():
    data = pathlib.Path("/work/shared/data/myntra-products-2k/images")
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def safetensors(path, tensors):
    """Writes uint8/float32 numpy arrays as a safetensors file (names sorted)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        b = a.tobytes()
        header[name] = {"dtype": {np.dtype("uint8"): "U8", np.dtype("float32"): "F32"}[a.dtype],
                        "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b); offset += len(b)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h.encode()); [f.write(b) for b in blobs]


def photos(ids, size):
    """Myntra photos decoded by torchvision, resized (antialiased bilinear) to size x size: uint8 [N, size, size, 3]."""
    images = []
    for pid in ids:
        img = decode_jpeg(read_file(str(data / f"{pid}.jpg")))
        small = F.interpolate(img[None].float(), size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        images.append(small[0].round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy())
    return np.stack(images)


def normalise(images, mean, std):
    """uint8 NHWC images → float NCHW, (x / 255 - mean) / std per channel."""
    x = torch.from_numpy(images).float().div(255).permute(0, 3, 1, 2)
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
