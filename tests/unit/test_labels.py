"""Shipping labels: 避头尾 line breaking, numbers kept whole, the page size, and PNG = PDF."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from storage.labels import HEIGHT, NO_LINE_END, NO_LINE_START, WIDTH, layout, shipping_label, wrap


def cells(text: str) -> float:
    """A monospaced measure: a Chinese character or full-width mark is 1, anything else 1/2."""
    return sum(1 if ord(ch) > 0x2E7F else 0.5 for ch in text)


ADDRESSES = [
    "浙江省衢州市龙游县东华街道龙洲路（龙游大道）123号，幸福小区3幢2单元1201室。",
    "龙游县模环乡（原沐尘畲族乡）沐尘村，村委会旁小卖部转交。",
    "浙江省衢州市柯城区【临时地址】「府山街道」新华路、县学街；北门：东侧！请电联？",
    "龙游县小南海镇团石村8组 12345678901234567890 号（仓库）",
    "Room 1201, Building 3, 88 Longzhou Rd. (Longyou), Quzhou 324400, China.",
]


@pytest.mark.parametrize("text", ADDRESSES)
@pytest.mark.parametrize("width", [5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 21])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(text, width):
    lines = wrap(text, cells, width)
    assert all(cells(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added
    assert not any(line[0] in NO_LINE_START for line in lines[1:]), lines
    assert not any(line[-1] in NO_LINE_END for line in lines), lines
    for run in re.findall(r"\d+", text):
        if cells(run) <= width:
            assert any(run in line for line in lines), (run, lines)  # a number is never split


def test_the_character_before_a_closing_mark_moves_down_with_it():
    # At width 8, "（龙游大道）" would put "）" at the start of the second line.
    assert wrap("龙洲路（龙游大道）123号", cells, 8) == ["龙洲路（龙游大", "道）123号"]
    assert wrap("幸福小区3幢，1201室。", cells, 5) == ["幸福小区3", "幢，1201", "室。"]
    assert wrap("邮编 324400", cells, 4) == ["邮编", "324400"]


def test_a_run_wider_than_a_whole_line_is_cut_rather_than_lost():
    digits = "1" * 30
    lines = wrap(f"号{digits}", cells, 10)
    assert "".join(lines) == f"号{digits}" and all(cells(line) <= 10 for line in lines)


def test_empty_text_gives_one_empty_line():
    assert wrap("", cells, 10) == [""] and wrap("   ", cells, 10) == [""]


LINES = [("收件人", "王建国  138****8000"),
         ("收件地址", "浙江省衢州市龙游县东华街道龙洲路（龙游大道）123号，幸福小区3幢2单元1201室（330825）邮编 324400"),
         ("办件编号", "LY2026112400012"), ("寄件", "龙游县行政服务中心  龙游县荣昌大道1号"), ("承运", "EMS")]


def test_png_is_100_by_150_mm_and_says_so():
    image = Image.open(io.BytesIO(shipping_label(shipment_number="SH0001", lines=LINES)))
    assert image.size == (800, 1200) and image.mode == "1"
    dpi = image.info["dpi"]
    assert [round(pixels / d * 25.4, 1) for pixels, d in zip(image.size, dpi)] == [100.0, 150.0]


def test_pdf_is_one_page_of_100_by_150_mm_holding_the_same_image_as_the_png():
    png = Image.open(io.BytesIO(shipping_label(shipment_number="SH0001", lines=LINES)))
    pdf = PdfReader(io.BytesIO(shipping_label(shipment_number="SH0001", lines=LINES, kind="pdf")))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (283.46, 425.2)  # 100 x 150 mm in pt
    [embedded] = pdf.pages[0].images
    assert ImageChops.difference(embedded.image.convert("L"), png.convert("L")).getbbox() is None
    other = Image.open(io.BytesIO(shipping_label(shipment_number="SH0002", lines=LINES)))
    assert ImageChops.difference(other.convert("L"), png.convert("L")).getbbox() is not None  # it can fail


def test_the_longest_address_a_citizen_can_enter_shrinks_to_stay_on_the_page():
    # recipient: 50 characters, detail: 200 (the schema's limits), then the region code and postcode.
    longest = [("收件人", "欧阳" * 25 + "  138****8000"),
               ("收件地址", ("浙江省衢州市龙游县（龙游大道）" * 14)[:200] + "（330825）邮编 324400"),
               ("办件编号", "LY20261124000123456789012345678"), ("寄件", "衢州市龙游县行政服务中心（市民之家）  龙游县荣昌大道1号"),
               ("承运", "中国邮政速递物流（EMS）")]
    placed = layout(longest)
    assert all(x >= 0 and y + font.size <= HEIGHT - 10 and x + font.getlength(text) <= WIDTH - 10
               for x, y, text, font in placed)
    assert max(font.size for *_, font in layout(LINES)) > max(font.size for *_, font in placed)
