"""File inspection and normalisation (Pillow is imported here, in storage/png_strips.py and in
storage/labels.py): the type comes from the bytes, never from the name; images are opened under a
pixel cap, decoded in full (JPEG at a reduced DCT scale, PNG a strip at a time through
storage/png_strips.py), turned upright, stripped of every metadata block (EXIF with GPS, XMP, ICC,
comments), capped in size, re-encoded, thumbnailed. Every accepted file normalises in < 100 MB
(bench/upload_memory.py)."""
from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from storage import png_strips

# Well under Pillow's default (~89 Mpx): phones take 12-50 Mpx; a declared 60 Mpx+ is refused
# before a single pixel is decoded.
MAX_PIXELS = 60_000_000
MAX_ASPECT = 20  # a 1 x 30000 strip is not a document photo
MIN_EDGE = 16
LONG_EDGE = 2000
REDUCING_GAP = 2.0  # box-reduce by whole factors while >= 2x the kept size, then LANCZOS
# Interlaced (Adam7) and 16-bit colour PNGs can only be decoded whole (4 bytes a pixel, twice over
# while resampling): a lower cap keeps them under the same memory as every other file.
PNG_WHOLE_MAX_PIXELS = 6_000_000
# A progressive JPEG keeps every DCT coefficient of the image (2 bytes each) until its last scan,
# whatever the scale it is decoded at: its coefficients are capped instead of its pixels.
JPEG_PROGRESSIVE_MAX_BYTES = 48 * 1024 * 1024
THUMB_EDGE = 320
JPEG_QUALITY = 85
MAX_PDF_PAGES = 50

# Markup, scripts or archives hidden in an image make it a polyglot: a browser, a PHP interpreter or
# unzip would read it as something else. They hide in metadata segments, text chunks, or after the
# image's end; the compressed pixel data itself is never scanned (random bytes match by chance).
_POLYGLOT_MARKERS = (b"<script", b"<html", b"<body", b"<?php", b"<iframe", b"<svg", b"pk\x03\x04", b"%pdf-")


def _has_markup(chunk: bytes) -> bool:
    lowered = chunk.lower()
    return any(marker in lowered for marker in _POLYGLOT_MARKERS)


def _jpeg_hiding_places(data: bytes):
    """Every segment before the scan (APPn: EXIF, XMP, ICC; COM) and whatever follows the last EOI."""
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: pixel data follows
            break
        length = int.from_bytes(data[i + 2:i + 4], "big")
        yield data[i + 4:i + 2 + length]
        i += 2 + length
    end = data.rfind(b"\xff\xd9")
    if end != -1:
        yield data[end + 2:]


def _png_hiding_places(data: bytes):
    """Ancillary chunks (text, metadata), not the IDAT pixel data; PNG trailers are refused apart."""
    i = 8
    while i + 8 <= len(data):
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        if kind not in (b"IDAT", b"IHDR", b"PLTE", b"IEND"):
            yield data[i + 8:i + 8 + length]
        i += 12 + length


class FileRefused(ValueError):
    """The file is not what it claims, is broken, or is hostile; the message says why (zh-CN)."""


@dataclass
class Inspected:
    content_type: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None


@dataclass
class Normalised:
    data: bytes
    content_type: str
    width: int | None
    height: int | None
    pages: int | None
    thumbnail: bytes | None


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def inspect(data: bytes) -> Inspected:
    """Check without changing: the type from the bytes, then the type's own checks."""
    return _check(data)[0]


def normalise(data: bytes, declared_type: str | None = None) -> Normalised:
    """Check and normalise; raises FileRefused with the reason."""
    found, image = _check(data, declared_type)
    if image is None:
        return Normalised(data, found.content_type, None, None, found.pages, None)
    with image:
        upright = ImageOps.exif_transpose(image, in_place=True) or image  # no copy of a big bitmap
        if found.content_type == "image/jpeg" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        elif upright.mode == "1":
            upright = upright.convert("L")  # a bilevel scan stays greyscale
        elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
            has_alpha = "transparency" in upright.info or upright.mode.endswith("A")
            upright = upright.convert("RGBA" if has_alpha else "RGB")
        if max(upright.size) > LONG_EDGE:
            upright.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
        body = _encode(upright, found.content_type)
        thumb = upright.resize(png_strips.target_size(*upright.size, THUMB_EDGE), Image.Resampling.BILINEAR,
                               reducing_gap=REDUCING_GAP) if max(upright.size) > THUMB_EDGE else upright
        thumbnail = _encode(thumb.convert("RGB"), "image/jpeg")
        return Normalised(body, found.content_type, upright.width, upright.height, None, thumbnail)


def _encode(image: Image.Image, content_type: str) -> bytes:
    """Save with no metadata at all: no exif, no icc_profile, no comments, no text chunks."""
    out = io.BytesIO()
    image.info = {}  # Pillow carries exif/icc/comments over from `info`; an empty one carries nothing
    if content_type == "image/jpeg":
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def _check(data: bytes, declared_type: str | None = None) -> tuple[Inspected, Image.Image | None]:
    if not data:
        raise FileRefused("文件为空")
    kind = sniff(data)
    if kind is None:
        raise FileRefused("只接受 JPEG、PNG 图片或 PDF 文件（按文件内容判断，不看扩展名）")
    if declared_type and declared_type != kind:
        raise FileRefused(f"文件内容是 {kind}，与声明的 {declared_type} 不符")
    if kind == "application/pdf":
        return _check_pdf(data), None
    places = _jpeg_hiding_places(data) if kind == "image/jpeg" else _png_hiding_places(data)
    if any(_has_markup(chunk) for chunk in places):
        raise FileRefused("图片中夹带了网页、脚本或压缩包内容")
    if kind == "image/png" and not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise FileRefused("PNG 文件不完整或末尾附带了其他数据")
    return _open_image(data, kind)


def _open_image(data: bytes, kind: str) -> tuple[Inspected, Image.Image]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["JPEG" if kind == "image/jpeg" else "PNG"])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise FileRefused(f"图片像素过大（{width}×{height}）")
            if min(width, height) < MIN_EDGE or max(width, height) > MAX_ASPECT * min(width, height):
                raise FileRefused(f"图片尺寸异常（{width}×{height}）")
            if kind == "image/png":
                if png_strips.streamable(data, image):  # every row decoded, never the whole bitmap at once
                    with image:
                        edge = min(LONG_EDGE, max(width, height))
                        return Inspected(kind, width, height), png_strips.decode_reduced(
                            data, image, edge, REDUCING_GAP)
                if width * height > PNG_WHOLE_MAX_PIXELS:
                    raise FileRefused(f"隔行扫描或 16 位彩色的 PNG 不能超过 {PNG_WHOLE_MAX_PIXELS // 1_000_000} 百万像素"
                                      f"（{width}×{height}），请另存为普通 PNG 或 JPEG")
            if kind == "image/jpeg" and image.info.get("progressive") \
                    and _coefficient_bytes(image) > JPEG_PROGRESSIVE_MAX_BYTES:
                raise FileRefused(f"渐进式 JPEG 像素过大（{width}×{height}），请另存为普通 JPEG")
            if kind == "image/jpeg" and max(width, height) > LONG_EDGE:
                # Decode at the smallest JPEG (DCT) scale that still covers the long edge we keep.
                scale = LONG_EDGE / max(width, height)
                image.draft("RGB" if image.mode != "L" else "L", (round(width * scale), round(height * scale)))
            image.load()  # decode every byte: truncated files fail here
        except FileRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise FileRefused("图片像素过大") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise FileRefused("图片已损坏或不完整") from exc
    return Inspected(kind, width, height), image


def _coefficient_bytes(image: Image.Image) -> int:
    """What libjpeg holds for a multi-scan JPEG: every component's 8x8 blocks, 64 shorts each."""
    width, height = image.size
    layers = getattr(image, "layer", None) or [("Y", 1, 1, 0)] * 3
    h_max, v_max = max(h for _, h, _, _ in layers), max(v for _, _, v, _ in layers)
    return sum(math.ceil(width * h / h_max / 8) * math.ceil(height * v / v_max / 8) * 128
               for _, h, v, _ in layers)


def _check_pdf(data: bytes) -> Inspected:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if re.search(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b", data):
        raise FileRefused("PDF 含有脚本、可执行动作或嵌入文件")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise FileRefused("不接受加密的 PDF")
        pages = len(reader.pages)
        for page in reader.pages[:MAX_PDF_PAGES]:
            page.mediabox  # noqa: B018 - every page object must resolve
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise FileRefused("PDF 文件已损坏或无法解析") from exc
    if pages < 1:
        raise FileRefused("PDF 没有页面")
    if pages > MAX_PDF_PAGES:
        raise FileRefused(f"PDF 超过 {MAX_PDF_PAGES} 页")
    return Inspected("application/pdf", pages=pages)
