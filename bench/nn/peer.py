#!/usr/bin/env python3
"""PyTorch CPU peer for bench-nn: the same backbone (torchvision) + the research head (256, 128, 4 classes),
random uint8 images normalised like ours, SGD, at a fixed thread count. Prints one JSON object like bench-nn.
    python bench/nn/peer.py train --arch mobilenet_v2 --batch 32 --size 128 --steps 4 --threads 2
"""
import argparse, json, resource, time
import torch, torchvision

p = argparse.ArgumentParser()
p.add_argument("mode", choices=["train", "infer"])
p.add_argument("--arch", default="mobilenet_v2"); p.add_argument("--batch", type=int, default=32)
p.add_argument("--size", type=int, default=128); p.add_argument("--steps", type=int, default=4)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(1)
net = getattr(torchvision.models, a.arch)()
dim = {"mobilenet_v2": 1280, "resnet18": 512, "resnet50": 2048, "vgg16": 512, "vgg19": 512}[a.arch]
if a.arch.startswith("mobilenet"): backbone = torch.nn.Sequential(net.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
elif a.arch.startswith("vgg"): backbone = torch.nn.Sequential(net.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
else: net.fc = torch.nn.Identity(); backbone = net
head = torch.nn.Sequential(torch.nn.Linear(dim, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                           torch.nn.Linear(256, 128), torch.nn.BatchNorm1d(128), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                           torch.nn.Linear(128, 4))
model = torch.nn.Sequential(backbone, head)
pixels = torch.randint(0, 256, (a.batch, a.size, a.size, 3), dtype=torch.uint8)
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
labels = torch.arange(a.batch) % 4
opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
def batch(): return (pixels.permute(0, 3, 1, 2).float().div(255) - mean) / std
def step():
    if a.mode == "train":
        model.train(); opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(batch()), labels); loss.backward(); opt.step()
    else:
        model.eval()
        with torch.no_grad(): backbone(batch())
step()
t = time.perf_counter()
for _ in range(a.steps): step()
secs = time.perf_counter() - t
print(json.dumps({"mode": a.mode, "arch": a.arch, "batch": a.batch, "size": a.size, "threads": a.threads, "peer": "pytorch " + torch.__version__,
                  "images_per_second": round(a.batch * a.steps / secs, 2),
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
