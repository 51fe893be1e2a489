#!/usr/bin/env bash
# Side-by-side training/inference throughput: bench-nn (Swift, OpenBLAS) vs PyTorch CPU, same threads.
#   bench/nn/run.sh [repeats=3] [configs...]    config = mode:arch:batch  (default: the table in RESULTS.md)
# Needs: VITRINE_ONLY=bench-nn swift build -c release --scratch-path .build-nn-release
#        .bench/venv with torch + torchvision (skipped with a message when absent).
set -uo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}; shift || true
bin=.build-nn-release/release/bench-nn
py=.bench/venv/bin/python
configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(train:mobilenet_v2:4 train:mobilenet_v2:32 train:resnet18:4 train:resnet18:32 train:resnet50:4 train:resnet50:32 train:vgg16:4 train:vgg16:32 infer:mobilenet_v2:32 infer:resnet18:32 infer:resnet50:32 infer:vgg16:32)
havepeer=1; "$py" -c "import torch, torchvision" 2>/dev/null || { echo "PyTorch not installed in .bench/venv: peer skipped"; havepeer=0; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
echo "sgemm peak: $($bin sgemm --threads 2)"
printf "%-6s %-13s %5s | %10s %8s %9s | %10s %9s | %6s\n" mode arch batch "ours img/s" "conv GF/s" "ours MiB" "torch img/s" "torch MiB" ratio
for c in "${configs[@]}"; do
  IFS=: read -r mode arch batch <<<"$c"
  steps=$(( batch >= 32 ? 2 : 8 ))
  ours=(); gf=(); mem=(); theirs=(); tmem=()
  for _ in $(seq "$reps"); do
    o=$($bin "$mode" --arch "$arch" --batch "$batch" --size 128 --steps $steps --threads 2)
    ours+=("$(echo "$o" | field images_per_second)"); gf+=("$(echo "$o" | field conv_gflops)"); mem+=("$(echo "$o" | field peak_mib)")
    if [ $havepeer = 1 ]; then
      t=$("$py" bench/nn/peer.py "$mode" --arch "$arch" --batch "$batch" --size 128 --steps $steps --threads 2 2>/dev/null)
      theirs+=("$(echo "$t" | field images_per_second)"); tmem+=("$(echo "$t" | field peak_mib)")
    fi
  done
  mo=$(printf "%s\n" "${ours[@]}" | median); mg=$(printf "%s\n" "${gf[@]}" | median); mm=$(printf "%s\n" "${mem[@]}" | median)
  if [ $havepeer = 1 ]; then
    mt=$(printf "%s\n" "${theirs[@]}" | median); mtm=$(printf "%s\n" "${tmem[@]}" | median)
    ratio=$(python3 -c "print(f'{$mo/$mt:.2f}x')")
  else mt=-; mtm=-; ratio=-; fi
  printf "%-6s %-13s %5s | %10s %8s %9s | %10s %9s | %6s\n" "$mode" "$arch" "$batch" "$mo" "$mg" "$mm" "$mt" "$mtm" "$ratio"
  echo "       runs: ours ${ours[*]} / torch ${theirs[*]:-}" >&2
done
