"""Shipping labels: the text and a QR code of the shipment number drawn onto a printable page."""
from __future__ import annotations

import io
import re

from PIL import Image


def _label_font(size: int, path: str | None):
    from PIL import ImageFont

    if not path:
        try:
            import cvttf_NotoSansCJK_Regular as fonts  # a CJK font from PyPI, so labels need no OS fonts
            from pathlib import Path

            path = str(Path(fonts.__file__).parent / "NotoSansCJKtc-Regular.otf")
        except ImportError:
            return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def draw_label(*, shipment_number: str, qr_png: bytes, lines: list[tuple[str, str]], font_path: str | None = None,
               width: int = 800, height: int = 1200) -> bytes:
    """A printable 100 x 150 mm label (at 203 dpi): a QR code of the shipment number and the text."""
    from PIL import ImageDraw

    label = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(label)
    title, body, small = _label_font(44, font_path), _label_font(32, font_path), _label_font(26, font_path)
    draw.rectangle((10, 10, width - 10, height - 10), outline=0, width=4)
    code = Image.open(io.BytesIO(qr_png)).convert("L")
    code = code.resize((360, 360), Image.Resampling.NEAREST)
    label.paste(code, ((width - 360) // 2, 40))
    draw.text((width // 2, 420), shipment_number, font=title, fill=0, anchor="mt")
    y = 500
    for caption, text in lines:
        draw.text((40, y), caption, font=small, fill=0)
        y += 36
        for part in _wrap(text, body, width - 100):
            draw.text((60, y), part, font=body, fill=0)
            y += 42
        y += 14
    out = io.BytesIO()
    label.save(out, "PNG")
    return out.getvalue()


def _wrap(text: str, font, max_width: int) -> list[str]:
    """Break between Chinese characters or between Latin words and numbers, never inside one."""
    lines, line = [], ""
    for token in re.findall(r"[A-Za-z0-9*()（）\-.:/]+|\s+|.", text):
        if line and font.getlength(line + token) > max_width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return lines + [line] if line else lines or [""]
