"""PNGs decoded a strip at a time give what Pillow gives decoding the whole image, in every layout."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageChops

from storage import png_strips
from storage.images import LONG_EDGE, REDUCING_GAP, FileRefused, normalise


def _texture(size, mode="RGB") -> Image.Image:
    """Noise over a gradient with hard edges: every PNG filter gets chosen for some rows."""
    noise = Image.effect_noise(size, 40)
    gradient = Image.linear_gradient("L").resize(size)
    grey = Image.blend(noise, gradient, 0.6)
    grey.paste(0, (size[0] // 3, size[1] // 4, size[0] // 2, size[1] // 2))
    rgb = Image.merge("RGB", [grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient])
    return rgb.convert(mode)


def _png(image: Image.Image, **options) -> bytes:
    """Deflate at level 1: Pillow picks each row's filter the same way at every level, so the
    inflated rows are byte for byte those of the default level 6, in a third of the time (level 6
    spent 20 s of this file's 46 in the encoder)."""
    out = io.BytesIO()
    image.save(out, "PNG", **{"compress_level": 1, **options})
    return out.getvalue()


def _whole(data: bytes, mode: str) -> Image.Image:
    """The whole bitmap, reduced and resampled as `Image.thumbnail` does, with the two LANCZOS passes
    in a fixed order (columns then rows; Pillow picks the order itself, which moves the rounding
    and clipping of its 8-bit intermediate by a few levels at hard edges)."""
    image = Image.open(io.BytesIO(data)).convert(mode)
    size = png_strips.target_size(*image.size, LONG_EDGE)
    factor = (int(image.width / size[0] / REDUCING_GAP) or 1, int(image.height / size[1] / REDUCING_GAP) or 1)
    box = (0, 0, image.width / factor[0], image.height / factor[1])
    image = image.reduce(factor)
    wide = image.resize((size[0], image.height), Image.Resampling.LANCZOS, box=(0, 0, box[2], image.height))
    return wide.resize(size, Image.Resampling.LANCZOS, box=(0, 0, size[0], box[3]))


def _largest_difference(a: Image.Image, b: Image.Image) -> int:
    extrema = ImageChops.difference(a, b).getextrema()
    return max(high for _, high in extrema) if isinstance(extrema[0], tuple) else extrema[1]


def _sweep(*cases):
    """The first case runs in the fast loop; the rest of the sweep (each a few seconds of encoding
    and decoding) runs with the fuzzers, in CI's full and PostgreSQL runs."""
    return [cases[0], *(pytest.param(*case, marks=pytest.mark.fuzz) for case in cases[1:])]


@pytest.mark.parametrize("mode, size, working", _sweep(
    ("RGB", (2600, 1700), "RGB"), ("L", (2600, 1700), "L"), ("RGBA", (1700, 4100), "RGBA"),
    ("LA", (4100, 1700), "LA"), ("1", (3300, 2600), "L"), ("RGB", (2001, 1500), "RGB"),
    ("RGB", (9000, 1000), "RGB"),
))
def test_strips_equal_the_whole_image_decode(mode, size, working):
    data = _png(_texture(size, mode))
    with Image.open(io.BytesIO(data)) as opened:
        assert png_strips.streamable(data, opened)
        strips = png_strips.decode_reduced(data, opened, LONG_EDGE, REDUCING_GAP)
    whole = _whole(data, working)
    assert strips.mode == working and strips.size == whole.size
    assert _largest_difference(strips, whole) <= 1
    pillow = Image.open(io.BytesIO(data)).convert(working)
    pillow.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    assert pillow.size == strips.size and _largest_difference(strips, pillow) <= 8


def test_palette_with_transparency_and_low_bit_depths():
    # Fast octree: the default median cut took 3 s to pick the same kind of 16-colour palette.
    picture = _texture((2600, 1700)).quantize(16, method=Image.Quantize.FASTOCTREE)
    data = _png(picture, transparency=3, bits=4)
    assert struct.unpack(">B", data[24:25])[0] == 4  # a 4-bit palette: shadow rows, Pillow's unpacker
    with Image.open(io.BytesIO(data)) as opened:
        strips = png_strips.decode_reduced(data, opened, LONG_EDGE, REDUCING_GAP)
    assert strips.mode == "RGBA"
    # Colour under alpha near 0 means nothing (and the per-strip pass rounds it): compare premultiplied.
    assert _largest_difference(strips.convert("RGBa"), _whole(data, "RGBA").convert("RGBa")) <= 2
    assert strips.getextrema()[3][0] == 0  # the transparent index stayed transparent


def test_sixteen_bit_grey_scan_stays_grey_with_its_high_byte():
    grey = _texture((2600, 1700), "L")
    wide = bytearray(2600 * 1700 * 2)  # each sample as its high byte (the grey) and a low byte of 0x5A
    wide[0::2], wide[1::2] = grey.tobytes(), b"\x5a" * (2600 * 1700)
    body = b"".join(b"\x00" + wide[y * 5200:(y + 1) * 5200] for y in range(1700))
    data = _raw_png(2600, 1700, 16, 0, 0, body)
    result = normalise(data, "image/png")
    decoded = Image.open(io.BytesIO(result.data))
    expected = grey.copy()
    expected.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    assert decoded.mode == "L" and _largest_difference(decoded, expected) <= 1


def _raw_png(width, height, depth, colour, interlace, body: bytes, extra: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body, 1)) + extra
            + chunk(b"IEND", b""))


def test_orientation_is_read_even_after_the_pixels():
    """eXIf after IDAT: Pillow reads it only on a full load; the strips read every chunk."""
    picture = Image.new("RGB", (3000, 2000), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 1500, 2000))  # left half red
    body = b"".join(b"\x00" + picture.crop((0, y, 3000, y + 1)).tobytes() for y in range(2000))
    exif = Image.Exif()
    exif[0x0112] = 6
    tail = exif.tobytes()
    chunk = struct.pack(">I", len(tail)) + b"eXIf" + tail + struct.pack(">I", zlib.crc32(b"eXIf" + tail))
    result = normalise(_raw_png(3000, 2000, 8, 2, 0, body, extra=chunk), "image/png")
    upright = Image.open(io.BytesIO(result.data))
    assert upright.size == (1333, 2000) and (result.width, result.height) == (1333, 2000)
    assert upright.getpixel((600, 100))[0] > 200 and upright.getpixel((600, 1900))[2] > 200  # red on top
    assert "exif" not in upright.info


def test_broken_pixel_data_is_refused():
    picture = _texture((2600, 1700))
    body = b"".join(b"\x00" + picture.crop((0, y, 2600, y + 1)).tobytes() for y in range(1700))
    with pytest.raises(FileRefused, match="损坏"):  # a whole zlib stream, 5 rows short
        normalise(_raw_png(2600, 1700, 8, 2, 0, body[:-5 * 7801]), "image/png")
    data = bytearray(_png(picture))
    idat = data.find(b"IDAT")
    data[idat + 1000] ^= 0xFF  # the CRC no longer matches
    with pytest.raises(FileRefused, match="损坏"):
        normalise(bytes(data), "image/png")


def test_target_size_matches_pillows_thumbnail():
    for size in ((4961, 7016), (7016, 4961), (2001, 1500), (3000, 3000), (20_000, 1001), (1001, 20_000)):
        probe = Image.new("1", size)
        probe.thumbnail((LONG_EDGE, LONG_EDGE))
        assert png_strips.target_size(*size, LONG_EDGE) == probe.size, size
