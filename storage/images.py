"""File inspection (the only Pillow import): the type comes from the bytes, never from the name."""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Well under Pillow's default (~89 Mpx): a phone photo is 12-50 Mpx; anything bigger is refused.
MAX_PIXELS = 60_000_000
MAX_ASPECT = 20  # a 1 x 30000 strip is not a document photo


class FileRefused(ValueError):
    """The file is not what it claims, is broken, or is hostile; the message says why (zh-CN)."""


@dataclass
class Inspected:
    content_type: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def inspect(data: bytes) -> Inspected:
    """Open what arrived under a pixel cap, decompression-bomb warnings as errors, fully decoded."""
    if not data:
        raise FileRefused("文件为空")
    kind = sniff(data)
    if kind is None:
        raise FileRefused("只接受 JPEG、PNG 图片或 PDF 文件")
    if kind == "application/pdf":
        return _inspect_pdf(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FileRefused("图片像素过大")
                if max(width, height) > MAX_ASPECT * min(width, height):
                    raise FileRefused("图片长宽比异常")
                image.load()  # decode every byte: truncated files fail here
        except FileRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise FileRefused("图片像素过大") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise FileRefused("图片已损坏或不完整") from exc
    return Inspected(kind, width, height)


def _inspect_pdf(data: bytes) -> Inspected:
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        raise FileRefused("PDF 文件不完整")
    if b"/Encrypt" in data:
        raise FileRefused("不接受加密的 PDF")
    if b"/JavaScript" in data or b"/JS" in data:
        raise FileRefused("PDF 含有脚本")
    # A page-tree count without a PDF library: issue 4 replaces this with a real parser.
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    if pages < 1:
        raise FileRefused("PDF 没有页面")
    return Inspected("application/pdf", pages=pages)
