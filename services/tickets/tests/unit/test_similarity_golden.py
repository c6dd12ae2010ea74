"""Duplicate suggestions, the text rule (domain/similarity.py) on golden pairs: the issue's own
example and every kind of variation must match; different problems, places, parties and
schemes must not."""

from __future__ import annotations

import pytest
from lianxin.tickets.domain.similarity import (
    THRESHOLD,
    names_conflict,
    normalise,
    profile,
    similarity,
)

SAME = [
    ("村里自来水停了三天", "我们村停水三天了"),                 # the example
    ("莫得水吃了，都三天了", "停水三天了，没水吃"),               # dialect
    ("自來水停了三天，村裡沒水用", "村里停水三天没水用"),          # traditional characters
    ("拉圾好几天没人收了", "垃圾好几天没人来收"),                 # input-method slip
    ("停水", "我们村从礼拜一开始停水，到现在四天了，家家户户都没水用，请赶紧派人来看看"),
    ("王老板欠我们工资三个月了", "王老板拖欠工资三个月不发"),
]
DIFFERENT = [
    ("村里停水三天了", "村里自来水浑浊发黄"),                   # same category, another problem
    ("村里停水三天了", "低保被取消了"),                         # unrelated
    ("村里停电了", "电费收得太高"),
    ("三组停水两天了", "五组停水两天了"),                       # same words, another place
    ("3号楼停电了", "7号楼停电了"),
    ("王老板拖欠工资", "李老板拖欠工资"),                       # another party
    ("低保金这个月没到账", "养老金这个月没到账"),               # another benefit scheme
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_problem_in_other_words_is_suggested(a: str, b: str) -> None:
    assert similarity(a, b) >= THRESHOLD
    assert similarity(b, a) == pytest.approx(similarity(a, b))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_a_different_problem_is_not_suggested(a: str, b: str) -> None:
    assert similarity(a, b) < THRESHOLD


def test_identical_texts_score_one_and_empty_ones_zero() -> None:
    assert similarity("村口路灯坏了", "村口路灯坏了") == pytest.approx(1.0)
    assert similarity("，。！", "村口路灯坏了") == 0.0
    assert similarity("", "") == 0.0


def test_normalise_unifies_script_slips_synonyms_and_numerals() -> None:
    assert normalise("自來水停了") == "水停了"
    assert normalise("托欠工钱") == "欠工资"
    assert normalise("屋头莫得电") == "家里停电"
    assert normalise("三组和十二组，二十户") == "3组和12组,20户"
    assert normalise("一直") == "一直"   # a numeral not before a counter stays


def test_names_conflict_only_when_both_name_one_kind_and_share_none() -> None:
    assert names_conflict(profile("三组停水"), profile("五组停水"))
    assert not names_conflict(profile("三组停水"), profile("我们三组停水了"))
    assert not names_conflict(profile("三组停水"), profile("停水了"))      # one names no place
    assert not names_conflict(profile("村口停水"), profile("五组停水"))    # different kinds
    assert names_conflict(profile("陈奶奶家低保停了"), profile("王大爷家低保停了"))
