"""PNG decoding in bounded memory: rows are inflated and unfiltered a strip at a time, box-reduced at
once and resampled to the kept size through a sliding window, so a 35-megapixel scan never exists as
one bitmap. The result is the whole image's `thumbnail(..., LANCZOS, reducing_gap)` to within one
level (the resize's two passes run columns first; Pillow may pick rows first, which moves its 8-bit
intermediate's clipping by a few levels at hard edges).

Pillow does the byte work: each strip goes through its own PNG row decoder (the "zip" codec) as a
stored zlib stream, preceded by the previous strip's last unfiltered row sent with filter 0, so Up,
Average and Paeth rows see the neighbour they were filtered against."""
from __future__ import annotations

import math
import struct
import zlib

from PIL import Image

STRIP_BYTES = 2 * 1024 * 1024  # unfiltered bytes decoded per strip
# A pixel layout Pillow can hand back byte for byte, by bytes per pixel: filters need the raw row.
_SHADOW = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_WORKING = {"1": "L", "L": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA", "I;16": "L"}


class PngCorrupt(ValueError):
    """The pixel data does not decode to the rows the header promises."""


def header(data: bytes) -> tuple[int, int, int, int, int]:
    """(width, height, bit depth, colour type, interlace) from IHDR."""
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    return width, height, depth, colour, interlace


def streamable(data: bytes, image: Image.Image) -> bool:
    """Strips work for every non-interlaced PNG whose pixels are at most 4 bytes (all but 16-bit
    colour), in a layout Pillow opened it as."""
    _, _, depth, colour, interlace = header(data)
    return (interlace == 0 and colour in _CHANNELS and _bytes_per_pixel(depth, colour) in _SHADOW
            and (image.mode == "P" or image.mode in _WORKING))


def _bytes_per_pixel(depth: int, colour: int) -> int:
    return max(1, _CHANNELS[colour] * depth // 8)


def chunks(data: bytes):
    """(type, body) of every chunk, checking each CRC; bodies are views, never copies."""
    view = memoryview(data)
    i = 8
    while i + 12 <= len(data):
        length = int.from_bytes(data[i:i + 4], "big")
        kind, body = data[i + 4:i + 8], view[i + 8:i + 8 + length]
        crc = data[i + 8 + length:i + 12 + length]
        if len(body) != length or crc != zlib.crc32(body, zlib.crc32(kind)).to_bytes(4, "big"):
            raise PngCorrupt(kind)
        yield kind, body
        i += 12 + length


def target_size(width: int, height: int, edge: int) -> tuple[int, int]:
    """The size `Image.thumbnail((edge, edge))` picks, rounded toward the true aspect as Pillow does."""
    aspect = width / height

    def nearest(number: float, key) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if aspect <= 1:
        return nearest(edge * aspect, lambda n: abs(aspect - n / edge)), edge
    return edge, nearest(edge / aspect, lambda n: 0 if n == 0 else abs(aspect - edge / n))


def decode_reduced(data: bytes, image: Image.Image, edge: int, reducing_gap: float) -> Image.Image:
    """The opened (not loaded) PNG `image`, decoded strip by strip and scaled to fit `edge`."""
    width, height, depth, colour, _ = header(data)
    bpp = _bytes_per_pixel(depth, colour)
    row_bytes = (width * _CHANNELS[colour] * depth + 7) // 8
    mode, rawmode = image.mode, image.tile[0].args
    rawmode = rawmode if isinstance(rawmode, str) else rawmode[0]
    if mode == "I;16":
        rawmode = "L;16B"  # 16-bit grey: keep the high byte; a greyscale scan stays greyscale
    working = ("RGBA" if "transparency" in image.info else "RGB") if mode == "P" else _WORKING[mode]
    size = target_size(width, height, edge)
    factor = (int(width / size[0] / reducing_gap) or 1, int(height / size[1] / reducing_gap) or 1)
    resampler = _Resampler(working, width, height, factor, size)
    rows_per_strip = max(1, STRIP_BYTES // (row_bytes + 1) // factor[1]) * factor[1]
    strips = _Strips(image, mode, rawmode, working, width, row_bytes, depth, bpp)
    inflater = zlib.decompressobj()
    pending = bytearray()
    done = 0
    exif = image.info.get("exif")
    for kind, body in chunks(data):
        if kind == b"eXIf":
            exif = bytes(body)  # also after the pixels, where Pillow reads it only on a full load
        if kind != b"IDAT":
            continue
        while body and done < height:
            try:  # never more than a strip inflated at once: one IDAT may hold the whole image
                pending += inflater.decompress(body, rows_per_strip * (row_bytes + 1))
            except zlib.error as exc:
                raise PngCorrupt("IDAT") from exc
            body = inflater.unconsumed_tail
            while done < height and len(pending) >= min(rows_per_strip, height - done) * (row_bytes + 1):
                count = min(rows_per_strip, height - done)
                take = count * (row_bytes + 1)
                with memoryview(pending) as view:
                    strip = strips.decode(view[:take], count)
                del pending[:take]
                resampler.feed(strip)
                done += count
    if done < height:
        raise PngCorrupt("short")
    result = resampler.finish()
    if exif:
        result.info["exif"] = exif  # for the orientation; every metadata block is dropped on encode
    return result


class _Strips:
    """Turns filtered rows into pixels. Each strip's stream starts with the row before it, sent
    unfiltered, so the strip image has one extra row on top (the resampler skips it). 8-bit rows
    decode straight into Pillow's layout, whose bytes are the raw row; other depths go through a
    byte-for-byte shadow layout first, then Pillow's unpacker."""

    def __init__(self, image: Image.Image, mode: str, rawmode: str, working: str, width: int,
                 row_bytes: int, depth: int, bpp: int):
        self.image, self.mode, self.rawmode, self.working, self.width = image, mode, rawmode, working, width
        self.direct = depth == 8
        self.shadow = _SHADOW[bpp]
        self.shadow_width = row_bytes // bpp if depth >= 8 else row_bytes
        self.previous = bytes(row_bytes)

    def decode(self, filtered: memoryview, count: int) -> Image.Image:
        stream = zlib.compress(b"".join((b"\x00", self.previous, filtered)), 0)
        try:
            if self.direct:
                strip = Image.frombytes(self.mode, (self.width, count + 1), stream, "zip", self.rawmode)
                self.previous = strip.crop((0, count, self.width, count + 1)).tobytes()
            else:
                shadow = Image.frombytes(self.shadow, (self.shadow_width, count + 1), stream, "zip", self.shadow)
                raw = shadow.tobytes()
                self.previous = raw[-len(self.previous):]
                strip = Image.frombytes("L" if self.mode == "I;16" else self.mode, (self.width, count + 1),
                                        raw, "raw", self.rawmode)
        except ValueError as exc:
            raise PngCorrupt("filter") from exc
        if self.mode == "P":
            palette = self.image.palette
            strip.putpalette(palette.palette, palette.rawmode or palette.mode)
            if "transparency" in self.image.info:
                strip.info["transparency"] = self.image.info["transparency"]
        return strip if strip.mode == self.working else strip.convert(self.working)


class _Resampler:
    """Box-reduce each strip by whole factors and resample its rows to the kept width at once; then
    resample columns a block of output rows at a time, from a window of rows wide enough for
    LANCZOS's reach. Each pass alone is exactly Pillow's (the two-pass resize is separable)."""

    BLOCK = 64  # output rows per vertical pass

    def __init__(self, mode: str, width: int, height: int, factor: tuple[int, int], size: tuple[int, int]):
        self.factor, self.size = factor, size
        self.box_width, box_height = width / factor[0], height / factor[1]
        self.rows = math.ceil(height / factor[1])  # reduced rows in all
        self.scale = box_height / size[1]
        self.support = 3.0 * max(self.scale, 1.0) + 2  # LANCZOS reaches 3 input pixels per output
        self.out = Image.new(mode, size)
        self.window: Image.Image | None = None
        self.start = 0  # reduced row index of the window's first row
        self.emitted = 0

    def feed(self, strip: Image.Image) -> None:
        """A strip whose first row belongs to the strip before (see _Strips)."""
        top = 1
        if self.factor != (1, 1):
            strip, top = strip.reduce(self.factor, box=(0, 1, strip.width, strip.height)), 0
        narrowed = strip.resize((self.size[0], strip.height - top), Image.Resampling.LANCZOS,
                                box=(0, top, self.box_width, strip.height))
        if self.window is None:
            self.window = narrowed
        else:
            joined = Image.new(narrowed.mode, (narrowed.width, self.window.height + narrowed.height))
            joined.paste(self.window, (0, 0))
            joined.paste(narrowed, (0, self.window.height))
            self.window = joined
        self._emit(final=False)

    def finish(self) -> Image.Image:
        self._emit(final=True)
        return self.out

    def _first_needed(self, row: int) -> int:
        return max(0, math.floor(row * self.scale - self.support))

    def _emit(self, final: bool) -> None:
        end = self.start + self.window.height
        while self.emitted < self.size[1]:
            last = min(self.emitted + self.BLOCK, self.size[1])
            if not final and min(self.rows, math.ceil(last * self.scale + self.support)) > end:
                break
            box = (0, self.emitted * self.scale - self.start, self.size[0], last * self.scale - self.start)
            part = self.window.resize((self.size[0], last - self.emitted), Image.Resampling.LANCZOS, box=box)
            self.out.paste(part, (0, self.emitted))
            self.emitted = last
        low = self._first_needed(self.emitted)
        if self.emitted < self.size[1] and low > self.start:
            self.window = self.window.crop((0, low - self.start, self.window.width, self.window.height))
            self.start = low
