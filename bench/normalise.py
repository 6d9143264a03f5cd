"""Normalising a 12-megapixel phone JPEG: OneTrip's pipeline against naive Pillow and pyvips.

    .venv/bin/python bench/normalise.py [--runs 15]

Ours: full checks, upright, metadata stripped, long edge 2000, re-encoded, plus a thumbnail.
Naive Pillow: open, exif_transpose, resize to the same size, save. pyvips (if it installs:
`pip install -e '.[bench]'`): thumbnail_buffer to 2000 px and save stripped. Medians of the same run.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageOps  # noqa: E402

from storage.images import LONG_EDGE, normalise  # noqa: E402


def phone_jpeg() -> bytes:
    """4000x3000 with texture (noise compresses like a photo, unlike a flat colour), orientation 6."""
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    photo = Image.blend(noise, gradient, 0.5)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def naive(data: bytes) -> bytes:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    scale = LONG_EDGE / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def ours(data: bytes) -> bytes:
    return normalise(data, "image/jpeg").data


def vips(data: bytes) -> bytes:
    import pyvips

    image = pyvips.Image.thumbnail_buffer(data, LONG_EDGE, height=LONG_EDGE)  # applies the orientation
    return image.jpegsave_buffer(Q=85, keep="none")


def median_seconds(func, data: bytes, runs: int) -> float:
    func(data)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data = phone_jpeg()
    print(f"input: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB, orientation 6")
    result = Image.open(io.BytesIO(ours(data)))
    assert result.size == (1500, 2000), result.size
    base = median_seconds(naive, data, args.runs)
    mine = median_seconds(ours, data, args.runs)
    print(f"naive Pillow   {base * 1000:8.1f} ms  (baseline)")
    print(f"OneTrip        {mine * 1000:8.1f} ms  {base / mine:5.2f}x faster than naive")
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError) as exc:
        print(f"pyvips         not available ({exc.__class__.__name__}): pip install -e '.[bench]'")
        return
    other = median_seconds(vips, data, args.runs)
    print(f"pyvips         {other * 1000:8.1f} ms  OneTrip/pyvips time ratio {mine / other:5.2f} "
          f"({'no slower' if mine <= other else 'slower'})")


if __name__ == "__main__":
    main()
