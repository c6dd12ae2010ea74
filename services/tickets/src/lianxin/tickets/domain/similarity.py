"""Duplicate suggestions (重复诉求提示): how alike two short demands in Chinese are, 0 … 1.

Method, chosen by measurement (`bench/duplicates_eval.py`, figures in bench/RESULTS.md
§ "Duplicate suggestions") on services/tickets/tests/data/duplicate_pairs.tsv: 330 labelled
pairs of villagers' demands, 162 to choose the method on (dev) and 168 held out (test):

1. normalise: NFKC, traditional → simplified, frequent input-method slips (拉圾 → 垃圾), dialect
   (莫得 → 没有) and synonym phrases (自来水 → 水; 没水 / 断水 / 不出水 → 停水), Chinese numerals
   before a counter as digits (三组 → 3组); then stop characters (的 了 我们 …) are dropped and
   reduplication collapsed (黄黄的 → 黄);
2. features: the character unigrams and bigrams left; a bigram counts half (word order varies
   in paraphrases: 水停了三天 / 停水三天), and so does a category noun (水 电 路 工资 …): the
   candidates already share the category, so it tells little about which problem it is;
3. score: the mean of the weighted Dice coefficient (penalises extra content) and the overlap
   coefficient (a short "停水" is contained in a long report of the same outage);
4. names check: if both demands name a place, a party or a benefit scheme of the same kind and
   no name is shared (三组 / 五组, 村口 / 学校, 王老板 / 李老板, 低保 / 养老金), the score is
   multiplied by 0.4 — the same words about another place or scheme are another problem.

At THRESHOLD 0.5: precision 0.94 / recall 0.85 on dev, 0.82 / 0.74 on the held-out half (0.84 /
0.74 when, as deployed, only tickets of one top-level category are compared). Every other
candidate measured did worse on both halves (best held-out F1 ≤ 0.74 at its best dev
threshold): rapidfuzz ratio / partial_ratio, token_set_ratio on jieba tokens (also on this
normalised text), jieba + MinHash and plain character n-grams. jieba's segmentation of short
colloquial text is unstable (停了三天, 莫得), it costs a second per process to load, and MinHash
only approximates a Jaccard index that is cheap to compute exactly on the few hundred candidates
of one village, category and quarter. Pure standard library, so the rule lives in the domain.
What it misses are paraphrases that need world knowledge (水管冻住了 ~ 水管结冰了) and short
demands differing only in the problem word (班车太少 / 班车票价太贵): suggestions, a cadre
decides (merging is a separate step).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from lianxin.tickets.domain.similarity_lexicon import (
    DIALECT,
    DIRECTIONS,
    LANDMARKS,
    NUMBERED_PLACES,
    PARTY_ROLES,
    SCHEMES,
    STOP_CHARS,
    SURNAMES,
    SYNONYMS,
    T2S,
    TOPIC_CHARS,
    TYPOS,
)

THRESHOLD = 0.5
"""Scores at or above this are suggested: the best dev F1 with dev precision ≥ 0.9."""
CONFLICT_PENALTY = 0.4
BIGRAM_WEIGHT = 0.5
TOPIC_WEIGHT = 0.5

_T2S_TABLE = str.maketrans(T2S)
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_COUNTERS = ("号楼", "单元", "小时", "组", "社", "队", "栋", "幢", "天", "个", "月", "年", "周",
             "次", "户", "家", "层", "号")


def _phrases(table: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))


_TYPO_RE, _DIALECT_RE, _SYNONYM_RE = _phrases(TYPOS), _phrases(DIALECT), _phrases(SYNONYMS)
_NUMERAL_RE = re.compile("([零一二三四五六七八九十两]+)(?=" + "|".join(_COUNTERS) + ")")
_NUMBERED_RE = re.compile(r"(\d+)(" + "|".join(NUMBERED_PLACES) + ")")
_LANDMARK_RE = re.compile("|".join(LANDMARKS))
_DIRECTION_RE = re.compile("|".join(DIRECTIONS))
_SCHEME_RE = re.compile("|".join(sorted(SCHEMES, key=len, reverse=True)))
_PARTY_RE = re.compile(f"([{SURNAMES}])(?:" + "|".join(PARTY_ROLES) + ")")
_REDUPLICATED_RE = re.compile(r"([\u4e00-\u9fff])\1")  # 黄黄的, 轰轰响, 天天: one is enough
_KEEP_RE = re.compile(r"[\u4e00-\u9fff0-9a-z]")


def _numeral(run: str) -> str:
    """一 … 九十九 as digits (三 → 3, 十二 → 12, 二十 → 20); other runs unchanged."""
    if "十" not in run:
        return "".join(str(_DIGITS[c]) for c in run) if all(c in _DIGITS for c in run) else run
    tens, _, ones = run.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return run
    return str((_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0))


def normalise(text: str) -> str:
    """One wording for what villagers write in many: simplified, slips fixed, synonyms unified,
    numerals as digits (stop characters are still in; `profile` drops them)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_T2S_TABLE)
    text = _TYPO_RE.sub(lambda m: TYPOS[m.group()], text)
    text = _DIALECT_RE.sub(lambda m: DIALECT[m.group()], text)
    text = _SYNONYM_RE.sub(lambda m: SYNONYMS[m.group()], text)
    return _NUMERAL_RE.sub(lambda m: _numeral(m.group(1)), text)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the comparison needs of one demand: its n-grams and the places, parties and benefit
    schemes it names, as (kind, name): ("组", "3"), ("landmark", "村口"), ("party", "王"), …"""

    grams: frozenset[str]
    names: frozenset[tuple[str, str]]


def profile(text: str) -> Profile:
    """The features of one demand (compute once per text when comparing with many)."""
    norm = normalise(text)
    names = {(suffix, n) for n, suffix in _NUMBERED_RE.findall(norm)}
    names |= {("landmark", m) for m in _LANDMARK_RE.findall(norm)}
    names |= {("direction", m) for m in _DIRECTION_RE.findall(norm)}
    names |= {("party", m) for m in _PARTY_RE.findall(norm)}
    names |= {("scheme", m) for m in _SCHEME_RE.findall(norm)}
    # Reduplication is collapsed for the n-grams only: 奶奶 and 爷爷 name parties above.
    chars = [c for c in _REDUPLICATED_RE.sub(r"\1", norm)
             if _KEEP_RE.match(c) and c not in STOP_CHARS]
    grams = set(chars) | {a + b for a, b in itertools.pairwise(chars)}
    return Profile(frozenset(grams), frozenset(names))


def names_conflict(a: Profile, b: Profile) -> bool:
    """Both name a place, party or scheme of one kind, and no name is shared (三组 vs 五组)."""
    kinds = {k for k, _ in a.names} & {k for k, _ in b.names}
    return any({n for k, n in a.names if k == kind}.isdisjoint(
        {n for k, n in b.names if k == kind}) for kind in kinds)


def _weight(grams: frozenset[str]) -> float:
    return sum(BIGRAM_WEIGHT if len(g) > 1 else TOPIC_WEIGHT if g in TOPIC_CHARS else 1.0
               for g in grams)


def score(a: Profile, b: Profile) -> float:
    """How alike two demands are, 0 … 1 (see the module docstring)."""
    if not a.grams or not b.grams:
        return 0.0
    common, wa, wb = _weight(a.grams & b.grams), _weight(a.grams), _weight(b.grams)
    dice = 2 * common / (wa + wb)
    overlap = common / min(wa, wb)
    value = (dice + overlap) / 2
    return value * CONFLICT_PENALTY if names_conflict(a, b) else value


def similarity(a: str, b: str) -> float:
    """`score` of two texts."""
    return score(profile(a), profile(b))
