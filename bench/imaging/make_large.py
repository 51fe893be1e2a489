"""Makes large progressive product JPEGs for the decode benchmark: Myntra 224 px photos upscaled
(bicubic) to 1500x1500 and re-encoded progressive, quality 90, into .bench/large/ (ignored)."""
import os, sys
from PIL import Image

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/myntra-products-2k/images"
dst = sys.argv[2] if len(sys.argv) > 2 else ".bench/large"
count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src))[:count]:
    im = Image.open(os.path.join(src, name)).convert("RGB").resize((1500, 1500), Image.Resampling.BICUBIC)
    im.save(os.path.join(dst, name), quality=90, progressive=True)
print(f"wrote {count} images to {dst}")
