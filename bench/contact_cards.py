"""How long a village's contact cards take to render, and how big the PDF is.

    .venv/bin/python bench/contact_cards.py [N ...]     (default: 10 100)

Renders N synthetic cards (with real signed QR tokens) in-process, the same call the
`contactCardsPdf` query makes, and prints seconds, bytes and pages. Figures go to
bench/RESULTS.md; no test asserts a time.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import uuid

from lianxin.kit.tokens import card_qr_payload, sign_token
from lianxin.people.adapters.cards import PER_PAGE, CardParty, ContactCard, render_cards_pdf

SECRET = "bench-" + "s" * 32


def cards(n: int) -> list[ContactCard]:
    return [ContactCard(
        card_no=f"LX-{i:06d}",
        cadre=CardParty("联系干部", "张建华", "联珠镇人民政府", "139****4321"),
        household=CardParty("联系户", "李秀英", "癸能村三组", "138****1234"),
        qr_payload=card_qr_payload(sign_token(SECRET, "contact-card", str(uuid.uuid4()),
                                              ttl_seconds=2 * 365 * 86400)),
        issued_on=dt.date(2026, 11, 23)) for i in range(n)]


def main(sizes: list[int]) -> None:
    render_cards_pdf(cards(1), title="warm-up")  # font registration and imports
    print(f"{'cards':>6} {'seconds':>8} {'ms/card':>8} {'KiB':>8} {'pages':>6}")
    for n in sizes:
        batch = cards(n)
        started = time.perf_counter()
        pdf = render_cards_pdf(batch, title="bench")
        took = time.perf_counter() - started
        print(f"{n:>6} {took:>8.2f} {1000 * took / max(n, 1):>8.1f} {len(pdf) / 1024:>8.0f} "
              f"{-(-n // PER_PAGE) or 1:>6}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100])
