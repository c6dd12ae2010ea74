"""Contact cards render to a PDF whose QR codes really scan back to their pairings.

The PDF is rasterised with pdfium at 200 dpi (roughly a phone camera's view of a printed card)
and every code is decoded with zxing-cpp, so the test fails if a code is missing, unreadable,
too small or points at the wrong pairing. The same holds with a font file embedded; reportlab's
own Vera.ttf stands in for a Chinese TrueType font, since every machine has it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import reportlab
import zxingcpp
from lianxin.kit.tokens import card_qr_payload, sign_token, token_from_qr_payload, verify_token
from lianxin.people.adapters.cards import CardParty, ContactCard, render_cards_pdf
from lianxin.people.settings import PeopleSettings
from pydantic import ValidationError

SECRET = "card-secret-" + "s" * 32
SIGNED_AT = 1_767_225_600  # 2026-01-01; verification passes the same clock, so the test never ages
DPI = 200
MM_PER_PX = 25.4 / DPI
TITLE = "墨江县联珠镇碧溪村 党群连心卡"
LONG_UNIT = "墨江哈尼族自治县联珠镇人民政府农业农村综合服务中心驻碧溪村工作队"
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # Latin only, shipped with reportlab


def pairing_id(i: int) -> str:
    return f"0192f3b4-5c6d-7e8f-9a0b-{i:012d}"


def make_card(i: int) -> ContactCard:
    token = sign_token(SECRET, "card", pairing_id(i), ttl_seconds=365 * 86_400, now=SIGNED_AT)
    return ContactCard(
        card_no=f"MJ-0001-{i:04d}",
        cadre=CardParty("联系干部", f"李建{i}", LONG_UNIT if i == 0 else "联珠镇人民政府", f"138****{i:04d}"),
        household=CardParty("联系户", f"王秀{i}", "碧溪村第三村民小组", f"139****{9000 + i:04d}"),
        qr_payload=card_qr_payload(token),
        issued_on=datetime.date(2026, 1, 5),
    )


CARDS = [make_card(i) for i in range(10)]


@pytest.fixture(scope="module")
def ten_cards() -> Iterator[pdfium.PdfDocument]:
    pdf = pdfium.PdfDocument(render_cards_pdf(CARDS, title=TITLE))
    yield pdf
    pdf.close()


@pytest.fixture(scope="module")
def vera_pdf() -> bytes:
    return render_cards_pdf(CARDS, title=TITLE, font_path=VERA)


def page_texts(pdf: pdfium.PdfDocument) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdf]


def assert_codes_scan_back(pdf: pdfium.PdfDocument) -> None:
    decoded: list[zxingcpp.Barcode] = []
    for page in pdf:
        decoded += zxingcpp.read_barcodes(page.render(scale=DPI / 72).to_pil())

    pairing_of = {card.qr_payload: pairing_id(i) for i, card in enumerate(CARDS)}
    assert sorted(code.text for code in decoded) == sorted(pairing_of)
    for code in decoded:
        token = token_from_qr_payload(code.text)
        assert verify_token(SECRET, "card", token, now=SIGNED_AT + 1) == pairing_of[code.text]
        assert code.format == zxingcpp.BarcodeFormat.QRCode
        assert code.ec_level == "M"
        width_mm = (code.position.top_right.x - code.position.top_left.x) * MM_PER_PX
        assert width_mm >= 25, "a code smaller than 25 mm is hard to scan off paper"


def test_ten_cards_fill_two_pages_eight_and_two(ten_cards: pdfium.PdfDocument) -> None:
    texts = page_texts(ten_cards)

    assert len(ten_cards) == 2
    assert [t.count("党群连心卡 编号") for t in texts] == [8, 2]
    assert "第 1 页" in texts[0] and "第 2 页" in texts[1]
    assert ten_cards.get_metadata_dict()["Title"] == TITLE


def test_every_qr_code_scans_back_to_its_own_pairing(ten_cards: pdfium.PdfDocument) -> None:
    assert_codes_scan_back(ten_cards)


def test_the_card_text_shows_both_parties_and_only_masked_phones(ten_cards: pdfium.PdfDocument) -> None:
    # The built-in STSong-Light CID font is not embedded, and this machine may have no CJK font,
    # so the glyphs can render blank; pdfium still maps them to Unicode for extraction, which is
    # what these assertions read.
    text = "\n".join(page_texts(ten_cards))

    for card in CARDS:
        for party in (card.cadre, card.household):
            assert f"{party.role_label}\r\n{party.name}\r\n" in text
            assert f"电话 {party.phone_masked}" in text
        assert f"编号 {card.card_no}" in text
    assert "发放日期 2026-01-05" in text
    phones = set(re.findall(r"1[3-9]\d[\d*]{4}\d{4}", text))
    assert phones == {p.phone_masked for c in CARDS for p in (c.cadre, c.household)}
    assert not re.search(r"\d{7,}", text), "no clear phone number may appear on a card"


def test_a_unit_too_long_for_the_card_is_cut_with_an_ellipsis(ten_cards: pdfium.PdfDocument) -> None:
    text = page_texts(ten_cards)[0]

    assert LONG_UNIT not in text
    assert re.search(f"{LONG_UNIT[:8]}[^\r\n]*…", text)


def test_a_clear_phone_number_is_refused_before_it_reaches_paper() -> None:
    with pytest.raises(ValueError, match="must be masked"):
        CardParty("联系户", "王秀", "碧溪村", "139 1234 5678")


def test_no_cards_still_gives_one_readable_page() -> None:
    pdf = pdfium.PdfDocument(render_cards_pdf([], title="碧溪村 党群连心卡"))

    assert len(pdf) == 1
    text = page_texts(pdf)[0]
    assert "还没有结对" in text
    assert "碧溪村 党群连心卡" in text and "第 1 页" in text
    assert pdf.get_metadata_dict()["Title"] == "碧溪村 党群连心卡"
    pdf.close()


# --- an embedded font (LIANXIN_CARD_FONT) -------------------------------------------------------
def test_a_font_file_is_embedded_as_a_subset_and_the_codes_still_scan(vera_pdf: bytes) -> None:
    pdf = pdfium.PdfDocument(vera_pdf)

    # A subset's name carries a six-letter tag; FontFile2 is the embedded TrueType program.
    assert re.search(rb"/BaseFont /[A-Z]{6}\+BitstreamVeraSans-Roman", vera_pdf)
    assert b"/FontFile2" in vera_pdf
    assert b"STSong-Light" not in vera_pdf
    assert "MJ-0001-0000" in page_texts(pdf)[0]  # Vera has Latin glyphs only
    assert_codes_scan_back(pdf)
    pdf.close()


def test_a_font_file_that_is_missing_or_not_truetype_is_refused(tmp_path: Path) -> None:
    cff = tmp_path / "NotoSansCJK-Regular.otf"
    cff.write_bytes(b"OTTO" + bytes(64))  # OpenType with PostScript outlines, like Noto Sans CJK

    with pytest.raises(ValueError, match="does not exist"):
        render_cards_pdf(CARDS[:1], title=TITLE, font_path=tmp_path / "missing.ttf")
    with pytest.raises(ValueError, match="needs TrueType outlines"):
        render_cards_pdf(CARDS[:1], title=TITLE, font_path=cff)


def people_settings() -> PeopleSettings:
    return PeopleSettings(
        environment="test", database_url="postgresql+asyncpg://unused/x", kafka_bootstrap="k:9092",
        jwt_secret="j" * 32, pii_keys="test-1:" + "a" * 43 + "=", blind_index_key="b" * 44,
        link_token_secret="l" * 32)


def test_the_card_font_setting_is_checked_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("LIANXIN_CARD_FONT", raising=False)
    assert people_settings().card_font is None

    monkeypatch.setenv("LIANXIN_CARD_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(ValidationError, match=r"LIANXIN_CARD_FONT: card font .*missing\.ttc does not"):
        people_settings()
    # Embeddable, but it would print every name as empty boxes.
    monkeypatch.setenv("LIANXIN_CARD_FONT", str(VERA))
    with pytest.raises(ValidationError, match=r"LIANXIN_CARD_FONT: .* no glyph for '党群连心卡'"):
        people_settings()
