"""Regenerates the Imaging test fixtures in this folder (Vitrine's own script).

Run: /work/main/.bench/venv/bin/python make_fixtures.py   (needs Pillow and numpy)
Synthetic images are drawn here; myntra_*.jpg are copied unchanged from
../shared/data/myntra-products-2k/images (the public Myntra "Fashion Product Images (Small)" set).
Expected outputs (orient_expected_N.png) are made with Pillow's ImageOps.exif_transpose, an
independent reference for our EXIF handling.
"""
import io, os, shutil, struct, zlib
import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "data", "myntra-products-2k", "images")


def out(name):
    return os.path.join(HERE, name)


def quadrants(w=48, h=32):
    """Four coloured quadrants with a soft diagonal gradient, so orientation and colour are checkable."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (220, 30, 30)
    a[: h // 2, w // 2 :] = (30, 200, 40)
    a[h // 2 :, : w // 2] = (30, 40, 210)
    a[h // 2 :, w // 2 :] = (230, 220, 40)
    return a


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, arr, color_type, bit_depth, interlace=False, plte=None, trns=None):
    """A minimal PNG writer (filter 0) supporting 16-bit and Adam7, which Pillow cannot write."""
    h, w = arr.shape[:2]
    dt = ">u2" if bit_depth == 16 else "u1"
    a = arr.astype(dt)
    def rows(sub):
        return b"".join(b"\x00" + sub[y].tobytes() for y in range(sub.shape[0]))
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = a[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += rows(sub)
    else:
        raw = rows(a)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    if plte is not None:
        data += png_chunk(b"PLTE", plte)
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    data += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    open(path, "wb").write(data)
    return data


def main():
    q = quadrants()
    img = Image.fromarray(q)
    img.save(out("rgb_baseline.jpg"), quality=95)
    img.save(out("rgb_progressive.jpg"), quality=95, progressive=True)
    img.convert("L").save(out("gray.jpg"), quality=95)
    img.convert("CMYK").save(out("cmyk_adobe.jpg"), quality=95)
    # The same CMYK file with its Adobe APP14 marker removed: polarity unknown.
    b = open(out("cmyk_adobe.jpg"), "rb").read()
    i = b.find(b"\xff\xee")
    if i < 0:
        raise SystemExit("Pillow wrote no Adobe marker")
    n = struct.unpack(">H", b[i + 2 : i + 4])[0]
    open(out("cmyk_no_adobe.jpg"), "wb").write(b[:i] + b[i + 2 + n :])
    # EXIF orientation 1..8 on the same stored pixels, with Pillow's exif_transpose as the reference.
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        path = out(f"orient_{o}.jpg")
        img.save(path, quality=95, exif=exif.tobytes())
        ImageOps.exif_transpose(Image.open(path)).convert("RGB").save(out(f"orient_expected_{o}.png"))
    # PNG variants.
    write_png(out("rgb8.png"), q, 2, 8)
    write_png(out("rgb16.png"), q.astype(np.uint16) * 257, 2, 16)
    write_png(out("gray8.png"), q[:, :, 0], 0, 8)
    write_png(out("gray16.png"), q[:, :, 1].astype(np.uint16) * 257, 0, 16)
    alpha = np.tile(np.linspace(0, 255, q.shape[1]).astype(np.uint8), (q.shape[0], 1))
    write_png(out("rgba8.png"), np.dstack([q, alpha]), 6, 8)
    write_png(out("gray_alpha8.png"), np.dstack([q[:, :, 2], alpha]), 4, 8)
    write_png(out("rgb8_interlaced.png"), q, 2, 8, interlace=True)
    pal = np.array([[220, 30, 30], [30, 200, 40], [30, 40, 210], [230, 220, 40]], np.uint8)
    idx = np.zeros(q.shape[:2], np.uint8)
    for k, c in enumerate(pal):
        idx[(q == c).all(axis=2)] = k
    write_png(out("palette.png"), idx, 3, 8, plte=pal.tobytes(), trns=bytes([255, 255, 128, 0]))
    # Bad inputs.
    good = open(out("rgb8.png"), "rb").read()
    j = good.find(b"IDAT")
    n = struct.unpack(">I", good[j - 4 : j])[0]
    crc_at = j + 4 + n
    bad = bytearray(good); bad[crc_at] ^= 0xFF
    open(out("bad_crc.png"), "wb").write(bytes(bad))
    open(out("truncated.png"), "wb").write(good[: len(good) * 2 // 3])
    huge = bytearray(good)
    huge[16:24] = struct.pack(">II", 30000, 30000)
    huge[29:33] = struct.pack(">I", zlib.crc32(bytes(huge[12:29])) & 0xFFFFFFFF)
    open(out("huge_header.png"), "wb").write(bytes(huge))
    base = open(out("rgb_baseline.jpg"), "rb").read()
    s = base.find(b"\xff\xc0")
    hj = bytearray(base); hj[s + 5 : s + 9] = struct.pack(">HH", 30000, 30000)
    open(out("huge_header.jpg"), "wb").write(bytes(hj))
    open(out("truncated.jpg"), "wb").write(base[: len(base) // 2])
    cj = bytearray(base); cj[s + 2 : s + 4] = b"\x00\x03"  # SOF with a bogus length
    open(out("corrupt.jpg"), "wb").write(bytes(cj))
    open(out("html.jpg"), "wb").write(b"<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n")
    open(out("empty.jpg"), "wb").write(b"")
    Image.new("RGB", (1, 1), (10, 20, 30)).save(out("one_pixel.jpg"))
    Image.new("RGB", (1, 1), (10, 20, 30)).save(out("one_pixel.png"))
    # .npy files written by numpy, to check our writer byte for byte.
    np.save(out("numpy_u8.npy"), np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    np.save(out("numpy_i4.npy"), np.array([-2, 0, 7, 2**31 - 1], dtype="<i4"))
    np.save(out("numpy_f4.npy"), np.array([[0.5, -1.25, 3.0]], dtype="<f4"))
    # Real product photos (unchanged copies).
    for name in ["10000.jpg", "10615.jpg"]:
        src = os.path.join(DATA, name)
        if os.path.exists(src):
            shutil.copyfile(src, out("myntra_" + name))
    # A progressive photo big enough that the fuzz target's 32 px decode runs at 1/8 and skips scans.
    Image.open(out("myntra_10615.jpg")).convert("RGB").resize((256, 256), Image.Resampling.BICUBIC).save(
        out("progressive_256.jpg"), quality=50, progressive=True)


if __name__ == "__main__":
    main()
