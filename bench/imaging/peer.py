"""Peer side of the imaging benchmark: the same job (read file, decode, fit into a size x size
square on white keeping aspect, area-average resampling) with Pillow or OpenCV in N processes.

    python peer.py pillow|opencv DIR [--workers 2] [--size 128] [--runs 5]

Both peers get their library's DCT-domain downscaling, as ours does: Pillow's draft() and
OpenCV's IMREAD_REDUCED_COLOR_{2,4,8}, choosing the largest reduction that keeps the needed size.
"""
import argparse, json, os, statistics, sys, time
from multiprocessing import Pool

SIZE = 128


def timed(job):
    """Runs job(path) and returns the CPU seconds it took in this worker process."""
    def run(path):
        t = time.process_time()
        job(path)
        return time.process_time() - t
    return run


def pillow_job(path):
    from PIL import Image
    im = Image.open(path)
    im.draft("RGB", (SIZE, SIZE))  # JPEG DCT scaling to >= requested size
    im = im.convert("RGB")
    w, h = im.size
    s = SIZE / max(w, h)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    im = im.resize((nw, nh), Image.Resampling.BOX)
    canvas = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    canvas.paste(im, ((SIZE - nw) // 2, (SIZE - nh) // 2))
    return canvas.tobytes()[SIZE * SIZE * 3 // 2]


def opencv_job(path):
    import cv2
    from PIL import Image
    w, h = Image.open(path).size  # header only, to pick the reduction
    flag = cv2.IMREAD_COLOR
    for factor, f in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2)):
        if max(w, h) // factor >= SIZE:
            flag = f
            break
    im = cv2.imread(path, flag)
    im = cv2.cvtColor(im, cv2.COLOR_BGR2RGB)
    h, w = im.shape[:2]
    s = SIZE / max(w, h)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    im = cv2.resize(im, (nw, nh), interpolation=cv2.INTER_AREA)
    top, left = (SIZE - nh) // 2, (SIZE - nw) // 2
    im = cv2.copyMakeBorder(im, top, SIZE - nh - top, left, SIZE - nw - left, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return int(im[SIZE // 2, SIZE // 2, 0])


def pillow_cpu(path):
    return timed(pillow_job)(path)


def opencv_cpu(path):
    return timed(opencv_job)(path)


def init(size):
    global SIZE
    SIZE = size
    try:
        import cv2
        cv2.setNumThreads(1)
    except ImportError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=["pillow", "opencv"])
    ap.add_argument("dir")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    paths = sorted(os.path.join(a.dir, n) for n in os.listdir(a.dir) if n.endswith((".jpg", ".jpeg", ".png")))
    job = pillow_cpu if a.tool == "pillow" else opencv_cpu
    rates, cpu_rates = [], []
    with Pool(a.workers, initializer=init, initargs=(a.size,)) as pool:
        pool.map(job, paths[: a.workers * 4])  # warm the workers (imports)
        for run in range(1, a.runs + 1):
            t = time.perf_counter()
            cpu = sum(pool.map(job, paths, chunksize=16))
            dt = time.perf_counter() - t
            rates.append(len(paths) / dt)
            cpu_rates.append(len(paths) / cpu)
            print(f"run {run}: {len(paths)} images in {dt:.3f} s = {rates[-1]:.1f} img/s, {cpu_rates[-1]:.1f} img per CPU-second")
    print(json.dumps({"tool": a.tool, "images": len(paths), "workers": a.workers,
                      "median_images_per_second": round(statistics.median(rates), 1),
                      "median_images_per_cpu_second": round(statistics.median(cpu_rates), 1)}))


if __name__ == "__main__":
    sys.exit(main())
