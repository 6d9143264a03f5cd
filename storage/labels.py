"""Shipping labels: a 100 x 150 mm thermal waybill (QR code of the shipment number, then the text), as a
PNG that records its resolution or as a one-page PDF of exactly that size."""
from __future__ import annotations

import io
import re
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from storage.qrcodes import qr_png_fitting

# 8 dots per millimetre (203.2 dpi) is the native resolution of the common thermal label printer, so
# 100 x 150 mm is exactly 800 x 1200 dots and the PNG's pHYs chunk says 8000 dots per metre.
DOTS_PER_MM = 8
DPI = DOTS_PER_MM * 25.4
WIDTH_MM, HEIGHT_MM = 100, 150
WIDTH, HEIGHT = WIDTH_MM * DOTS_PER_MM, HEIGHT_MM * DOTS_PER_MM
MARGIN = 40
QR_BOX = 360
BODY_SIZES = (32, 28, 24, 20)  # the text shrinks until the longest address fits the page

# 避头尾 (GB/T 15834 标点符号用法; JIS X 4051 kinsoku): these never start a line ...
NO_LINE_START = frozenset("）)］]】」』》〉〕〗〙〛｝}，,。、．；;：:！!？?…‥·・～%％’”")
# ... and these never end one.
NO_LINE_END = frozenset("（(［[【「『《〈〔〖〘〚｛{‘“")
# Unbreakable runs: numbers, Latin words, codes such as 330825, A-12, 10:30, 1.5 (a number is never split).
_ATOM = re.compile(r"[A-Za-z0-9*#@_+\-./:]+|\s+|.")


FORMATS = {"png": "image/png", "pdf": "application/pdf"}


def shipping_label(*, shipment_number: str, lines: list[tuple[str, str]], font_path: str | None = None,
                   kind: str = "png") -> bytes:
    """The label as PNG (its resolution in pHYs) or PDF (one page of 100 x 150 mm): the same 1-bit image
    either way, as thermal printers print dots; the PDF holds it losslessly (CCITT G4)."""
    image = _draw(shipment_number, lines, _fonts(font_path))
    out = io.BytesIO()
    if kind == "pdf":
        image.save(out, "PDF", resolution=DPI, title=f"运单 {shipment_number}")
    else:
        image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def _draw(shipment_number: str, lines: list[tuple[str, str]], fonts: Callable[[int], ImageFont.FreeTypeFont]
          ) -> Image.Image:
    label = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(label)
    draw.rectangle((10, 10, WIDTH - 10, HEIGHT - 10), outline=0, width=4)
    code = qr_image(shipment_number)
    label.paste(code, ((WIDTH - code.width) // 2, 40 + (QR_BOX - code.height) // 2))
    draw.text((WIDTH // 2, 420), shipment_number, font=fonts(44), fill=0, anchor="mt")
    for x, y, text, font in layout(lines, fonts=fonts):
        draw.text((x, y), text, font=font, fill=0)
    # Threshold at mid-grey, not dither: a thermal head prints dots, and a grey fringe only blurs the code.
    return label.convert("1", dither=Image.Dither.NONE)


def qr_image(text: str) -> Image.Image:
    return Image.open(io.BytesIO(qr_png_fitting(text, QR_BOX))).convert("L")


def layout(lines: list[tuple[str, str]], font_path: str | None = None, *, top: int = 500,
           bottom: int = HEIGHT - MARGIN, fonts: Callable[[int], ImageFont.FreeTypeFont] | None = None
           ) -> list[tuple[int, int, str, ImageFont.FreeTypeFont]]:
    """(x, y, text, font) for each caption and wrapped line, at the largest body size that fits the page."""
    fonts = fonts or _fonts(font_path)
    for size in BODY_SIZES:
        body, small = fonts(size), fonts(size * 13 // 16)
        placed, y = [], top
        for caption, text in lines:
            placed.append((MARGIN, y, caption, small))
            y += small.size + 10
            for part in wrap(text, body.getlength, WIDTH - MARGIN - 60):
                placed.append((60, y, part, body))
                y += body.size + 10
            y += 14
        if y <= bottom:
            break
    return placed


def wrap(text: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """Break lines between Chinese characters or at spaces, never inside a number or Latin word, and
    never before closing punctuation or after opening punctuation: such a mark travels with its
    neighbour (the character before it moves to the next line). Only a run wider than a whole line is
    cut, as it could not be printed otherwise."""
    lines, line = [], ""
    for unit in _units(text):
        if unit.isspace():
            line += unit if line else ""
            continue
        if line and measure(line + unit) > max_width:
            lines.append(line.rstrip())
            line = ""
        line += unit
        while len(line) > 1 and measure(line) > max_width:  # one unit wider than a whole line
            cut = next(i for i in range(len(line) - 1, 0, -1) if measure(line[:i]) <= max_width or i == 1)
            lines.append(line[:cut])
            line = line[cut:]
    return lines + [line.rstrip()] if line.strip() else lines or [""]


def _units(text: str) -> list[str]:
    """Atoms glued to their punctuation: 号）， and （330825） are each one unit."""
    units: list[str] = []
    for atom in _ATOM.findall(text):
        previous = units[-1] if units else ""
        glue = previous and not previous.isspace() and not atom.isspace() and (
            atom[0] in NO_LINE_START or previous[-1] in NO_LINE_END)
        if glue:
            units[-1] += atom
        else:
            units.append(atom)
    return units


def _fonts(path: str | None) -> Callable[[int], ImageFont.FreeTypeFont]:
    """The faces of one label, by size. They are not kept from one label to the next: a face of the CJK
    font holds 3-5 MB (FreeType's tables and the pages of the 16 MB file it touched), a worker kept
    12-16 MB of them for good, and opening one takes about a millisecond (bench/worker_rss.py)."""
    opened: dict[int, ImageFont.FreeTypeFont] = {}

    def font(size: int) -> ImageFont.FreeTypeFont:
        if size not in opened:
            opened[size] = _open_font(size, path)
        return opened[size]

    return font


def _open_font(size: int, path: str | None):
    if not path:
        try:
            import cvttf_NotoSansCJK_Regular as fonts  # a CJK font from PyPI, so labels need no OS fonts
            from pathlib import Path

            path = str(Path(fonts.__file__).parent / "NotoSansCJKtc-Regular.otf")
        except ImportError:
            return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)
