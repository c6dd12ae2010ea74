"""Duplicate suggestions: precision, recall and F1 of text-similarity methods on the labelled pairs.

    .venv/bin/python bench/duplicates_eval.py            # comparison + sweep of the chosen method
    .venv/bin/python bench/duplicates_eval.py --errors dev   # also the dev half's mistakes

Each method's threshold is the one with the best F1 on the dev half; the held-out (test) half is
then scored at that threshold. The chosen method (lianxin.tickets.domain.similarity) is also
reported at its fixed THRESHOLD, with a sweep over both halves. Results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jieba
from lianxin.tickets.domain import similarity as sim
from rapidfuzz import fuzz

DATA = Path(__file__).resolve().parents[1] / "services/tickets/tests/data/duplicate_pairs.tsv"
STEPS = [round(0.05 * i, 2) for i in range(1, 20)]
_CJK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


@dataclass(frozen=True)
class Pair:
    id: str
    label: int
    split: str
    type: str
    category: str
    a: str
    b: str


def load(path: Path = DATA) -> list[Pair]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text("utf-8").splitlines()
            if line and not line.startswith("#")]
    return [Pair(r[0], int(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows[1:]]


def _tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if _CJK.search(t)]


def _grams(text: str) -> set[str]:
    chars = [c for c in text if _CJK.match(c)]
    return set(chars) | {a + b for a, b in itertools.pairwise(chars)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _minhash(tokens: list[str], k: int = 128) -> list[int]:
    items = set(tokens) or {""}
    return [min(int.from_bytes(hashlib.blake2b(f"{i}:{t}".encode(), digest_size=8).digest(), "big")
                for t in items) for i in range(k)]


def _minhash_sim(a: str, b: str) -> float:
    ha, hb = _minhash(_tokens(a)), _minhash(_tokens(b))
    return sum(x == y for x, y in zip(ha, hb, strict=True)) / len(ha)


def _lexicon_only(a: str, b: str) -> float:
    pa, pb = sim.profile(a), sim.profile(b)
    return sim.score(sim.Profile(pa.grams, frozenset()), sim.Profile(pb.grams, frozenset()))


METHODS: dict[str, Callable[[str, str], float]] = {
    "rapidfuzz ratio, raw characters": lambda a, b: fuzz.ratio(a, b) / 100,
    "rapidfuzz partial_ratio, raw characters": lambda a, b: fuzz.partial_ratio(a, b) / 100,
    "rapidfuzz token_set_ratio, jieba tokens": lambda a, b: fuzz.token_set_ratio(
        " ".join(_tokens(a)), " ".join(_tokens(b))) / 100,
    "jieba + MinHash (128), token Jaccard": _minhash_sim,
    "char 1+2-grams Dice, raw": lambda a, b: _dice(_grams(a), _grams(b)),
    "token_set_ratio, jieba on normalised text": lambda a, b: fuzz.token_set_ratio(
        " ".join(_tokens(sim.normalise(a))), " ".join(_tokens(sim.normalise(b)))) / 100,
    "char 1+2-grams + lexicon (no names check)": _lexicon_only,
    "CHOSEN: char 1+2-grams + lexicon + names check": sim.similarity,
}


def prf(scored: list[tuple[float, int]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in scored if s >= threshold and y == 1)
    fp = sum(1 for s, y in scored if s >= threshold and y == 0)
    fn = sum(1 for s, y in scored if s < threshold and y == 1)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_threshold(scored: list[tuple[float, int]]) -> float:
    return max(STEPS, key=lambda t: (round(prf(scored, t)[2], 6), t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", choices=("dev", "test"),
                        help="list one half's mistakes (tune on dev only)")
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    pairs = load()
    dev = [p for p in pairs if p.split == "dev"]
    test = [p for p in pairs if p.split == "test"]
    print(f"{len(pairs)} pairs: dev {len(dev)} ({sum(p.label for p in dev)} same), "
          f"test {len(test)} ({sum(p.label for p in test)} same)\n")
    print("| method | threshold (best dev F1) | dev P / R / F1 | test P / R / F1 | µs/pair |")
    print("|---|---:|---|---|---:|")
    for name, fn in METHODS.items():
        start = time.perf_counter()
        d = [(fn(p.a, p.b), p.label) for p in dev]
        t = [(fn(p.a, p.b), p.label) for p in test]
        micros = (time.perf_counter() - start) / len(pairs) * 1e6
        th = best_threshold(d)
        dp, tp = prf(d, th), prf(t, th)
        print(f"| {name} | {th:.2f} | {dp[0]:.2f} / {dp[1]:.2f} / {dp[2]:.2f} | "
              f"{tp[0]:.2f} / {tp[1]:.2f} / {tp[2]:.2f} | {micros:.0f} |")

    d = [(sim.similarity(p.a, p.b), p.label) for p in dev]
    t = [(sim.similarity(p.a, p.b), p.label) for p in test]
    print(f"\nChosen method at THRESHOLD = {sim.THRESHOLD}:")
    for name, scored in (("dev", d), ("test (held out)", t), ("all", d + t)):
        print(f"  {name:16} precision {{:.3f}}  recall {{:.3f}}  F1 {{:.3f}}".format(
            *prf(scored, sim.THRESHOLD)))
    print("As deployed (tickets of different top-level categories are never compared):")
    for name, half in (("dev", dev), ("test (held out)", test)):
        gated = [(0.0 if q.category == "mixed" else sim.similarity(q.a, q.b), q.label)
                 for q in half]
        print(f"  {name:16} precision {{:.3f}}  recall {{:.3f}}  F1 {{:.3f}}".format(
            *prf(gated, sim.THRESHOLD)))
    print("\n| threshold | dev P | dev R | dev F1 | test P | test R | test F1 |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for th in STEPS:
        dp, tp = prf(d, th), prf(t, th)
        print(f"| {th:.2f} | {dp[0]:.2f} | {dp[1]:.2f} | {dp[2]:.2f} | "
              f"{tp[0]:.2f} | {tp[1]:.2f} | {tp[2]:.2f} |")
    if args.errors:
        print(f"\n{args.errors} mistakes at THRESHOLD:")
        for pair in dev if args.errors == "dev" else test:
            value = sim.similarity(pair.a, pair.b)
            if (value >= sim.THRESHOLD) != bool(pair.label):
                print(f"  {pair.id} {pair.type:12} label={pair.label} score={value:.2f}  "
                      f"{pair.a} | {pair.b}")
                print(f"      {sim.normalise(pair.a)} | {sim.normalise(pair.b)}")

if __name__ == "__main__":
    main()
