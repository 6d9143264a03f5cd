"""Peak memory of one normalisation, every accepted format at its caps, each in a fresh process.

    .venv/bin/python bench/upload_memory.py [--only NAME]

Each case runs `storage.images.normalise` in its own interpreter: peak RSS (VmHWM, reset after the
imports) minus the RSS after the imports, so the input bytes themselves count (the web worker holds
them too). Files are made once in a temporary directory; a refused file prints its reason.

Recorded 2026-11-24 on the shared 2-core machine (Pillow 13). "Before" is storage/images.py at
d01f522, run in the same invocation. Peaks are what the issue asked about and do not move with load;
times do (load average 4 to 9 during these runs), so they are only comparable within a row:

| case | file | before | now | what bought it |
| --- | --- | --- | --- | --- |
| 12 Mpx phone JPEG | 3.5 MB | 40.8 MB | 26.8 MB | DCT-scaled decode (already); no copies of the bitmap: transpose in place, metadata dropped without `copy()`, thumbnail by `resize` |
| 59 Mpx JPEG | 27 MB | 78.5 MB | 64.2 MB | the same |
| 59 Mpx progressive JPEG | 24 MB | 206.4 MB | refused | libjpeg holds every coefficient of a multi-scan file at any scale: capped at 48 MB of them |
| 16 Mpx progressive JPEG | 8.4 MB | 69.4 MB | 69.5 MB | under that cap |
| A4 600 dpi grey scan PNG, 35 Mpx | 56 KB | 79.0 MB | 17.5 MB | PNG decoded a strip at a time, reduced on the way (storage/png_strips.py) |
| the same scan as RGB PNG | 129 KB | 314.7 MB | 30.4 MB | strip decode (time ~1.2 s before and after, quiet run) |
| 48 Mpx RGB photo PNG | 46 MB | 490.8 MB | 73.1 MB | strip decode; 46 MB of it is the input itself |
| 59 Mpx RGBA scan PNG | 273 KB | 765.7 MB | 29.3 MB | strip decode |
| 59 Mpx palette scan PNG | 449 KB | 372.7 MB | 49.6 MB | strip decode |
| 6 Mpx interlaced RGBA PNG | 12 MB | 105.9 MB | 82.9 MB | decoded whole (Adam7 cannot stream), capped at 6 Mpx |
| 8 Mpx interlaced RGBA PNG | 16 MB | 135.2 MB | refused | over that cap |
| 6 Mpx 16-bit RGB PNG | 18 MB | 88.0 MB | 65.0 MB | decoded whole, 6 Mpx cap |
| 50-page PDF | 21 MB | 40.1 MB | 40.0 MB | parsed by pypdf, never rasterised: input plus parse |

Worst now 82.9 MB against the 100 MB budget (ratio 0.83). Times in a quieter run (load 4): RGB scan
1173 -> 1506 ms, 48 Mpx photo 3042 -> 2999 ms, grey scan 318 -> 392 ms, phone JPEG 131 -> 119 ms:
the strips cost about what the whole decode did, give or take the machine's noise.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus import a4_scan  # noqa: E402 - the same scan the concurrency test uploads

BUDGET_MB = 100
BEFORE_COMMIT = "d01f522"  # main when issue 16 was taken up


def _photo(size, mode="RGB", noise=60, mix=0.5):
    """Texture that compresses like a photo (noise over a gradient)."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(size)
    grey = Image.blend(Image.effect_noise(size, noise), gradient, mix)
    bands = [grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient]
    return Image.merge("RGB", bands).convert(mode) if mode != "L" else grey


def phone_photo() -> bytes:
    """A 12 Mpx phone JPEG of ~3.5 MB, stored sideways (EXIF orientation 6) as phones do."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(_photo((4000, 3000), noise=24, mix=0.6), "JPEG", quality=90, exif=exif.tobytes())


def _save(image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _pdf(pages: int, target_bytes: int) -> bytes:
    """A scanned-document PDF: every page carries an incompressible image stream."""
    import os

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    per_page = target_bytes // pages
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        stream = DecodedStreamObject()
        stream.set_data(os.urandom(per_page // 2).hex().encode())  # hex: no "/JS" by chance
        page[NameObject("/PieceInfo")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CASES = {
    "phone-jpeg-12mpx": phone_photo,
    "jpeg-59mpx": lambda: _save(_photo((8880, 6640)), "JPEG", quality=85),
    "progressive-jpeg-59mpx": lambda: _save(_photo((8880, 6640)), "JPEG", quality=85, progressive=True),
    "progressive-jpeg-16mpx": lambda: _save(_photo((4896, 3264)), "JPEG", quality=90, progressive=True),
    "scan-grey-png-35mpx": lambda: _save(a4_scan("L"), "PNG"),
    "scan-rgb-png-35mpx": lambda: _save(a4_scan("RGB"), "PNG"),
    "photo-rgb-png-48mpx": lambda: _save(_photo((8000, 6000), noise=6, mix=0.8), "PNG"),
    "scan-rgba-png-59mpx": lambda: _save(a4_scan("RGBA", (6400, 9200)), "PNG"),
    "scan-palette-png-59mpx": lambda: _save(a4_scan("P", (6400, 9200)), "PNG"),
    "interlaced-rgba-png-6mpx": lambda: _interlaced((3000, 2000)),
    "interlaced-rgba-png-8mpx": lambda: _interlaced((3460, 2310)),
    "rgb16-png-6mpx": lambda: _rgb16((3000, 2000)),
    "pdf-50-pages-20mb": lambda: _pdf(50, 20 * 1024 * 1024 - 64 * 1024),
}


def _interlaced(size) -> bytes:
    """An Adam7-interlaced RGBA PNG (Pillow writes none): each of the seven passes is its own
    sub-image, written with filter 0."""
    width, height = size
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
    photo = _photo(size, "RGBA")
    body = bytearray()
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        raw = photo.resize((columns, rows)).tobytes()
        for y in range(rows):
            body += b"\x00" + raw[y * columns * 4:(y + 1) * columns * 4]

    return _png(width, height, 8, 6, 1, bytes(body))


def _rgb16(size) -> bytes:
    """16 bits a sample (Pillow writes none in colour): the photo's bytes doubled into each sample."""
    width, height = size
    raw = _photo(size).tobytes()
    doubled = bytearray(2 * len(raw))
    doubled[0::2], doubled[1::2] = raw, raw
    stride = width * 6
    body = b"".join(b"\x00" + doubled[y * stride:(y + 1) * stride] for y in range(height))
    return _png(width, height, 16, 2, 0, body)


def _png(width: int, height: int, depth: int, colour: int, interlace: int, body: bytes) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body, 6))
            + chunk(b"IEND", b""))


def _status(field: str) -> int:
    """kB from /proc/self/status: per process and reset by exec, unlike getrusage's ru_maxrss,
    which Linux carries over from the parent that forked the child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def measure(path: str, landed: str | None) -> None:
    """In the child: baseline after the imports, then read and normalise."""
    import importlib.util

    import pypdf  # noqa: F401 - imported before the baseline, as in a warm worker
    from PIL import JpegImagePlugin, PngImagePlugin  # noqa: F401

    if landed:  # the code before issue 16, for the "before" column
        spec = importlib.util.spec_from_file_location("landed_images", landed)
        images = sys.modules["landed_images"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(images)
    else:
        from storage import images
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    base = _status("VmRSS")
    data = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        result = images.normalise(data)
        outcome = f"{result.content_type} {result.width}x{result.height}" if result.width else result.content_type
    except images.FileRefused as exc:
        outcome = f"refused: {exc}"
    elapsed = time.perf_counter() - start
    print(f"{(_status('VmHWM') - base) / 1024:.1f}\t{elapsed * 1000:.0f}\t{outcome}")


def _run(path: Path, landed: Path | None) -> tuple[float, str, str]:
    command = [sys.executable, __file__, "--measure", str(path)] + (["--landed", str(landed)] if landed else [])
    child = subprocess.run(command, capture_output=True, text=True)
    if child.returncode:
        raise SystemExit(f"{path.name}: {child.stderr}")
    answer = child.stdout.strip().split("\t")
    return float(answer[0]), answer[1], answer[2]


def _landed_module(directory: Path) -> Path | None:
    """storage/images.py as it was before issue 16 (BEFORE_COMMIT), if git can show it."""
    try:
        source = subprocess.run(["git", "show", f"{BEFORE_COMMIT}:storage/images.py"], check=True,
                                capture_output=True, cwd=Path(__file__).parent).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    (directory / "landed_images.py").write_bytes(source)
    return directory / "landed_images.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="one case name")
    parser.add_argument("--no-before", action="store_true", help="skip the code before issue 16")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--landed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.landed)
        return
    names = [args.only] if args.only else list(CASES)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        landed = None if args.no_before else _landed_module(Path(tmp))
        print(f"{'case':27} {'file':>8} | {'before':>16} | {'now':>16} | outcome now")
        for name in names:
            path = Path(tmp) / name
            path.write_bytes(CASES[name]())
            before = "" if landed is None else "{:6.1f} MB {:>5} ms".format(*_run(path, landed)[:2])
            peak, ms, outcome = _run(path, None)
            worst = max(worst, peak)
            size = path.stat().st_size
            shown = f"{size / 1e6:.1f} MB" if size > 1e6 else f"{size / 1e3:.0f} KB"
            print(f"{name:27} {shown:>8} | {before:>16} | {peak:6.1f} MB {ms:>5} ms | {outcome}")
    print(f"worst peak now {worst:.1f} MB against a budget of {BUDGET_MB} MB: "
          f"{'within' if worst < BUDGET_MB else 'OVER'} (ratio {worst / BUDGET_MB:.2f})")


if __name__ == "__main__":
    main()
