#!/usr/bin/env bash
# Real-data result on ../shared/data/myntra-products-2k: top 3 subCategories + OTHER, balanced (172 each), 70/30.
#   .bench/venv/bin/python bench/nn/myntra_tensors.py      # -> .bench/myntra128.safetensors
#   bench/nn/real_data.sh > bench/nn/real_data.jsonl
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-.build-nn-release/release/bench-nn}
data=.bench/myntra128.safetensors
w=.weights/mobilenet_v2-b0353104.pth
$bin fit --data $data --arch mobilenet_v2 --pretrained $w --freeze 1 --epochs 5 --batch 32 --lr 0.001 --threads 2
$bin fit --data $data --arch resnet18 --width 0.5 --epochs 5 --batch 32 --lr 0.002 --augment 1 --threads 2
$bin fit --data $data --arch mobilenet_v2 --pretrained $w --freeze 0 --epochs 3 --batch 32 --lr 0.0005 --augment 1 --threads 2
$bin fit --data $data --arch resnet18 --width 1 --epochs 5 --batch 32 --lr 0.002 --augment 1 --threads 2
