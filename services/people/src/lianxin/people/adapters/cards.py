"""Printable contact cards (党群连心卡): one A4 PDF, eight cards a page, each with a scannable QR code.

A card pairs a cadre with a household. The household keeps it; scanning its QR code in the
WeChat mini-program opens a demand already linked to the pairing (see `lianxin.kit.tokens`).
Only reportlab is used, so rendering needs no image library and the QR codes stay vectors
that print sharp at any size.

Text is set in reportlab's built-in CID font STSong-Light unless a font file is given: that font
is not embedded, so a printer without a Chinese font prints blank names. A TrueType file
(`font_path`, from LIANXIN_CARD_FONT) is embedded as a subset instead.
"""

from __future__ import annotations

import datetime
import functools
import io
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

CARD_W, CARD_H = 90 * mm, 60 * mm
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
QR_SIZE = 32 * mm  # includes the quiet zone; the code itself is about 28 mm across
QR_QUIET = 4  # modules of white around the code, as ISO/IEC 18004 asks
_LEFT = (A4[0] - COLS * CARD_W) / 2
_TOP = A4[1] - 18 * mm
_TEXT_W = 48 * mm  # left of the QR code
_RED = Color(0.78, 0.06, 0.18)
_GREY = Color(0.45, 0.45, 0.45)
_CID_FONT = "STSong-Light"
# A clear phone number has 7 (landline) to 11 (mobile) digits in a row; a masked one never does.
_CLEAR_PHONE = re.compile(r"\d{7,}")


@dataclass(frozen=True, slots=True)
class CardParty:
    """One side of the pairing as printed: the cadre (联系干部) or the household (联系户)."""

    role_label: str
    name: str
    unit: str  # work unit for the cadre; village / group for the household
    phone_masked: str  # e.g. "138****1234"

    def __post_init__(self) -> None:
        # The card hangs on a wall at home: a clear number on it would leak personal data.
        if _CLEAR_PHONE.search(self.phone_masked.replace(" ", "").replace("-", "")):
            raise ValueError(f"phone_masked for {self.role_label} must be masked, e.g. 138****1234")


@dataclass(frozen=True, slots=True)
class ContactCard:
    """A contact card (党群连心卡) for one cadre–household pairing."""

    card_no: str  # e.g. "MJ-0001-0003"
    cadre: CardParty
    household: CardParty
    qr_payload: str  # from lianxin.kit.tokens.card_qr_payload
    issued_on: datetime.date


@functools.cache
def _cid_font() -> str:
    # A built-in CID font: no font file to ship and nothing embedded, so the PDF stays small. The
    # viewer or printer supplies the glyphs (any Chinese system has a substitute for STSong).
    pdfmetrics.registerFont(UnicodeCIDFont(_CID_FONT))
    return _CID_FONT


@functools.cache
def _file_font(path: Path) -> TTFont:
    if not path.is_file():
        raise ValueError(f"card font {path} does not exist or is not a file")
    if not os.access(path, os.R_OK):
        raise ValueError(f"card font {path} is not readable by this process")
    try:
        # subfontIndex 0: the first face of a .ttc collection (the regular weight, usually).
        font = TTFont(f"card-font:{path}", str(path), subfontIndex=0)  # unique per file
    except TTFError as exc:
        # reportlab reads TrueType outlines only; OpenType/CFF files (Noto Sans CJK, Source Han)
        # fail here, and saying so saves a search.
        raise ValueError(f"card font {path} cannot be used: {exc} (reportlab needs TrueType "
                         "outlines, e.g. WenQuanYi Micro Hei from fonts-wqy-microhei)") from None
    pdfmetrics.registerFont(font)
    return font


def check_card_font(path: Path, sample: str = "党群连心卡") -> None:
    """Refuse a font file the cards cannot use: missing, unreadable, not TrueType, or (with the
    default `sample`) without Chinese glyphs. Raises ValueError saying which."""
    font = _file_font(path)
    if missing := [ch for ch in sample if ord(ch) not in font.face.charToGlyph]:
        raise ValueError(f"card font {path} has no glyph for {''.join(missing)!r}: "
                         "choose a font with Chinese characters")


def _font(path: Path | None) -> str:
    return _cid_font() if path is None else str(_file_font(path).fontName)


def _text(c: Canvas, font: str, x: float, y: float, text: str, size: float,
          width: float = _TEXT_W) -> None:
    """Draw `text` at a size that fits `width` (shrinking to 75 %, then cutting with an ellipsis)."""
    floor = size * 0.75
    while size > floor and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text.removesuffix("…")[:-1] + "…"
    c.setFont(font, size)
    c.drawString(x, y, text)


class _FixedMaskQRCode(qrencoder.QRCode):
    """reportlab's encoder with one mask pattern instead of the best-scoring of eight.

    Scoring all eight (ISO/IEC 18004 §7.8.3) guards structured data against blocks and
    finder-like patterns and took three quarters of the encoding time. A card's payload is a
    signed token, random to the eye: in a trial over 600 tokens on degraded rasters, mask 4
    failed no more often than the scored mask (bench/RESULTS.md). The mask number travels in
    the code's format information, so every reader copes with any choice.
    """

    def getBestMaskPattern(self) -> int:
        return 4


def _qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's module matrix, row 0 at the top (True = dark)."""
    # Error correction M (15 %) survives a crease or a smudge without making the code denser than
    # a 28 mm square can carry legibly.
    qr = _FixedMaskQRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    return qr.modules


def _draw_qr(c: Canvas, payload: str, x: float, y: float) -> None:
    """Draw the code as one filled path of per-row runs in a QR_SIZE square (quiet zone included).

    reportlab's QrCodeWidget builds a shapes object per run and renders each one separately;
    one path in module units costs a fraction of that and leaves no hairline seams between
    adjacent rectangles when rasterised.
    """
    modules = _qr_modules(payload)
    n = len(modules)
    unit = QR_SIZE / (n + 2 * QR_QUIET)
    path = c.beginPath()
    for r, row in enumerate(modules):
        col = 0
        for dark, run in itertools.groupby(row):
            width = sum(1 for _ in run)
            if dark:
                path.rect(col, n - 1 - r, width, 1)
            col += width
    c.saveState()
    c.translate(x + QR_QUIET * unit, y + QR_QUIET * unit)
    c.scale(unit, unit)
    c.setFillColor(black)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _draw_party(c: Canvas, font: str, party: CardParty, top: float) -> None:
    c.setFillColor(_GREY)
    _text(c, font, 5 * mm, top, party.role_label, 7)
    c.setFillColor(black)
    _text(c, font, 5 * mm, top - 4.8 * mm, party.name, 11)
    _text(c, font, 5 * mm, top - 8.8 * mm, party.unit, 8)
    _text(c, font, 5 * mm, top - 12.6 * mm, f"电话 {party.phone_masked}", 8)


def _draw_card(c: Canvas, font: str, card: ContactCard, x: float, y: float) -> None:
    c.saveState()
    c.translate(x, y)
    c.setStrokeColor(_GREY)
    c.setLineWidth(0.25)
    c.rect(0, 0, CARD_W, CARD_H)  # also the cutting line
    c.setFillColor(_RED)
    _text(c, font, 5 * mm, 52 * mm, "党群连心卡", 14)
    c.setFillColor(_GREY)
    c.setFont(font, 7)
    c.drawRightString(CARD_W - 5 * mm, 52 * mm, f"编号 {card.card_no}")
    c.setStrokeColor(_RED)
    c.setLineWidth(0.8)
    c.line(5 * mm, 49.5 * mm, CARD_W - 5 * mm, 49.5 * mm)
    _draw_party(c, font, card.cadre, 45 * mm)
    _draw_party(c, font, card.household, 27 * mm)
    c.setFillColor(_GREY)
    c.setFont(font, 7)
    c.drawString(5 * mm, 5 * mm, f"发放日期 {card.issued_on.isoformat()}")
    c.drawCentredString(CARD_W - 5 * mm - QR_SIZE / 2, 6 * mm, "微信扫码 提交诉求")
    _draw_qr(c, card.qr_payload, CARD_W - 4 * mm - QR_SIZE, 10 * mm)
    c.restoreState()


def render_cards_pdf(cards: Sequence[ContactCard], *, title: str,
                     font_path: Path | None = None) -> bytes:
    """Lay the cards out on A4 pages (2 × 4 cards of 90 × 60 mm) and return the PDF.

    `font_path` is a TrueType file (.ttf, or the first face of a .ttc) to embed, subset, for
    all text; without it the text uses STSong-Light, which the viewer or printer must supply.
    A font file reportlab cannot use raises ValueError saying why.

    No cards still gives a one-page PDF that says so: a village without pairings gets an
    answer it can read rather than an error.
    """
    font = _font(font_path)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setSubject("党群连心卡")
    c.setAuthor("lianxin")
    c.setCreator("lianxin")
    pages = [cards[i : i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
    for number, page in enumerate(pages, start=1):
        if not page:
            c.setFont(font, 14)
            c.drawCentredString(A4[0] / 2, _TOP - 30 * mm, "没有可打印的党群连心卡：此范围内还没有结对。")
        for i, card in enumerate(page):
            row, col = divmod(i, COLS)
            _draw_card(c, font, card, _LEFT + col * CARD_W, _TOP - (row + 1) * CARD_H)
        c.setFillColor(_GREY)
        _text(c, font, _LEFT, 12 * mm, title, 9, width=COLS * CARD_W - 40 * mm)
        c.setFont(font, 9)
        c.drawRightString(_LEFT + COLS * CARD_W, 12 * mm, f"第 {number} 页，共 {len(pages)} 页")
        c.showPage()
    c.save()
    return buffer.getvalue()
