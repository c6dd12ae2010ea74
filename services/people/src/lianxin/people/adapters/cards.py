"""Printable contact cards (党群连心卡): one A4 PDF, eight cards a page, each with a scannable QR code.

A card pairs a cadre with a household. The household keeps it; scanning its QR code in the
WeChat mini-program opens a demand already linked to the pairing (see `lianxin.kit.tokens`).
Only reportlab is used, so rendering needs no image library and the QR codes stay vectors
that print sharp at any size.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

CARD_W, CARD_H = 90 * mm, 60 * mm
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
QR_SIZE = 32 * mm  # includes the 4-module quiet zone; the code itself is about 28 mm across
_LEFT = (A4[0] - COLS * CARD_W) / 2
_TOP = A4[1] - 18 * mm
_TEXT_W = 48 * mm  # left of the QR code
_RED = Color(0.78, 0.06, 0.18)
_GREY = Color(0.45, 0.45, 0.45)
_FONT = "STSong-Light"
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
def _register_font() -> None:
    # A built-in CID font: no font file to ship and nothing embedded, so the PDF stays small. The
    # viewer or printer supplies the glyphs (any Chinese system has a substitute for STSong).
    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def _text(c: Canvas, x: float, y: float, text: str, size: float, width: float = _TEXT_W) -> None:
    """Draw `text` at a size that fits `width` (shrinking to 75 %, then cutting with an ellipsis)."""
    floor = size * 0.75
    while size > floor and pdfmetrics.stringWidth(text, _FONT, size) > width:
        size -= 0.25
    while len(text) > 1 and pdfmetrics.stringWidth(text, _FONT, size) > width:
        text = text.removesuffix("…")[:-1] + "…"
    c.setFont(_FONT, size)
    c.drawString(x, y, text)


def _draw_party(c: Canvas, party: CardParty, top: float) -> None:
    c.setFillColor(_GREY)
    _text(c, 5 * mm, top, party.role_label, 7)
    c.setFillColor(black)
    _text(c, 5 * mm, top - 4.8 * mm, party.name, 11)
    _text(c, 5 * mm, top - 8.8 * mm, party.unit, 8)
    _text(c, 5 * mm, top - 12.6 * mm, f"电话 {party.phone_masked}", 8)


def _draw_card(c: Canvas, card: ContactCard, x: float, y: float) -> None:
    c.saveState()
    c.translate(x, y)
    c.setStrokeColor(_GREY)
    c.setLineWidth(0.25)
    c.rect(0, 0, CARD_W, CARD_H)  # also the cutting line
    c.setFillColor(_RED)
    _text(c, 5 * mm, 52 * mm, "党群连心卡", 14)
    c.setFillColor(_GREY)
    c.setFont(_FONT, 7)
    c.drawRightString(CARD_W - 5 * mm, 52 * mm, f"编号 {card.card_no}")
    c.setStrokeColor(_RED)
    c.setLineWidth(0.8)
    c.line(5 * mm, 49.5 * mm, CARD_W - 5 * mm, 49.5 * mm)
    _draw_party(c, card.cadre, 45 * mm)
    _draw_party(c, card.household, 27 * mm)
    c.setFillColor(_GREY)
    c.setFont(_FONT, 7)
    c.drawString(5 * mm, 5 * mm, f"发放日期 {card.issued_on.isoformat()}")
    c.drawCentredString(CARD_W - 5 * mm - QR_SIZE / 2, 6 * mm, "微信扫码 提交诉求")
    # Error correction M (15 %) survives a crease or a smudge without making the code denser than
    # a 28 mm square can carry legibly; the widget draws filled rectangles, so the code stays vector.
    qr = Drawing(QR_SIZE, QR_SIZE)
    qr.add(QrCodeWidget(card.qr_payload, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE))
    renderPDF.draw(qr, c, CARD_W - 4 * mm - QR_SIZE, 10 * mm)
    c.restoreState()


def render_cards_pdf(cards: Sequence[ContactCard], *, title: str) -> bytes:
    """Lay the cards out on A4 pages (2 × 4 cards of 90 × 60 mm) and return the PDF.

    No cards still gives a one-page PDF that says so: a village without pairings gets an
    answer it can read rather than an error.
    """
    _register_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setSubject("党群连心卡")
    c.setAuthor("lianxin")
    c.setCreator("lianxin")
    pages = [cards[i : i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
    for number, page in enumerate(pages, start=1):
        if not page:
            c.setFont(_FONT, 14)
            c.drawCentredString(A4[0] / 2, _TOP - 30 * mm, "没有可打印的党群连心卡：此范围内还没有结对。")
        for i, card in enumerate(page):
            row, col = divmod(i, COLS)
            _draw_card(c, card, _LEFT + col * CARD_W, _TOP - (row + 1) * CARD_H)
        c.setFillColor(_GREY)
        _text(c, _LEFT, 12 * mm, title, 9, width=COLS * CARD_W - 40 * mm)
        c.setFont(_FONT, 9)
        c.drawRightString(_LEFT + COLS * CARD_W, 12 * mm, f"第 {number} 页，共 {len(pages)} 页")
        c.showPage()
    c.save()
    return buffer.getvalue()
