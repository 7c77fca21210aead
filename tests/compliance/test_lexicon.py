"""The lexicon: data file hygiene, versioning, per-unit additions."""

import re
from pathlib import Path

import pytest

from mediadesk.compliance import Lexicon, LexiconError, TermSpec, check_text
from mediadesk.compliance.fold import fold

README = Path(__file__).parents[2] / "README.md"


def test_version_is_data_version_plus_content_hash():
    assert re.fullmatch(r"\d{4}\.\d{2}\+[0-9a-f]{12}", Lexicon.builtin().version)


def test_builtin_lexicon_is_loaded_once():
    assert Lexicon.builtin() is Lexicon.builtin()


def test_builtin_terms_are_unique_once_folded():
    patterns = [fold(t.term) for t in Lexicon.builtin().terms]
    duplicates = sorted({p for p in patterns if patterns.count(p) > 1})
    assert duplicates == []


def test_no_builtin_term_is_also_allowed():
    allowed = {fold(a.phrase) for a in Lexicon.builtin().allow}
    assert sorted(fold(t.term) for t in Lexicon.builtin().terms if fold(t.term) in allowed) == []


def test_category_ids_are_snake_case():
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", cid) for cid in Lexicon.builtin().categories)


def test_every_category_is_documented_in_the_readme():
    section = README.read_text(encoding="utf-8").split("#### Categories", 1)[1].split("####", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    assert documented == set(Lexicon.builtin().categories)


def test_required_categories_exist():
    required = {
        "absolute_terms", "medical_efficacy", "authority_endorsement", "urgency_inducement",
        "superstition", "investment_promise", "education_promise", "real_estate",
        "false_exaggeration", "violence", "pornography", "gambling", "false_or_misleading",
        "privacy", "defamation", "special_industry",
    }  # fmt: skip
    assert required <= set(Lexicon.builtin().categories)


def test_added_term_is_found():
    lexicon = Lexicon.builtin().with_additions([{"term": "竞品甲", "category": "defamation"}])
    assert [(f.term, f.severity) for f in check_text("别买竞品甲", lexicon)] == [
        ("竞品甲", "block")
    ]


def test_added_term_without_rewrite_has_no_suggestion():
    lexicon = Lexicon.builtin().with_additions([TermSpec("竞品甲", "defamation", "warn")])
    (finding,) = check_text("别买竞品甲", lexicon)
    assert finding.suggestion is None


def test_added_allow_phrase_suppresses_a_builtin_term():
    lexicon = Lexicon.builtin().with_additions(allow=["第一坊"])
    assert check_text("欢迎光临第一坊茶馆", lexicon) == []


def test_additions_change_the_version():
    lexicon = Lexicon.builtin().with_additions(allow=["第一坊"])
    assert lexicon.version != Lexicon.builtin().version


def test_same_additions_give_the_same_version():
    first = Lexicon.builtin().with_additions(allow=["第一坊"])
    assert first.version == Lexicon.builtin().with_additions(allow=["第一坊"]).version


def test_addition_replaces_the_builtin_entry_for_the_same_term():
    lexicon = Lexicon.builtin().with_additions([TermSpec("第一", "absolute_terms", "warn")])
    assert [f.severity for f in check_text("品质第一", lexicon)] == ["warn"]


def test_additions_do_not_change_the_builtin_lexicon():
    Lexicon.builtin().with_additions([TermSpec("竞品甲", "defamation")])
    assert check_text("别买竞品甲") == []


def test_addition_may_create_a_snake_case_category():
    lexicon = Lexicon.builtin().with_additions([TermSpec("旧品牌名", "brand_terms", "warn")])
    assert "brand_terms" in lexicon.categories


def test_addition_with_invalid_severity_is_refused():
    with pytest.raises(LexiconError):
        Lexicon.builtin().with_additions([TermSpec("竞品甲", "defamation", "fatal")])


def test_addition_without_letters_is_refused():
    with pytest.raises(LexiconError):
        Lexicon.builtin().with_additions([TermSpec("***", "defamation")])


def test_addition_needs_a_term_and_a_category():
    with pytest.raises(LexiconError):
        Lexicon.builtin().with_additions([{"term": "竞品甲"}])


def test_lexicon_from_mapping_rejects_an_unknown_category():
    raw = {"categories": {"a": {"label": "A"}}, "terms": [{"category": "b", "entries": ["x"]}]}
    with pytest.raises(LexiconError):
        Lexicon.from_mapping(raw)
