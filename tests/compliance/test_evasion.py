"""CMP-3: findings survive traditional characters, full-width forms, case and insertions."""

from mediadesk.compliance import check_text
from mediadesk.compliance.fold import SENTINEL, fold, mark

from .helpers import hits


def test_traditional_characters_fold_to_simplified():
    assert hits("全網最低價") == [("全網最低價", "absolute_terms", "block")]


def test_full_width_letters_digits_and_dot_fold():
    assert hits("品質ＮＯ．１") == [("ＮＯ．１", "absolute_terms", "block")]


def test_case_is_folded():
    assert hits("Top1 爆款") == [("Top1", "absolute_terms", "block")]


def test_spaces_between_characters_are_removed():
    assert hits("销量第 一") == [("销量第 一", "absolute_terms", "block")]


def test_ideographic_spaces_between_characters_are_removed():
    assert hits("全\u3000网\u3000最\u3000低\u3000价") == [
        ("全\u3000网\u3000最\u3000低\u3000价", "absolute_terms", "block")
    ]


def test_symbols_between_characters_are_removed():
    assert hits("效果最*佳") == [("最*佳", "absolute_terms", "block")]


def test_zero_width_characters_between_characters_are_removed():
    assert hits("效果最\u200b佳") == [("最\u200b佳", "absolute_terms", "block")]


def test_variation_selectors_and_word_joiners_are_removed():
    assert [f.term for f in check_text("最\ufe0f佳，最\u2060好")] == ["最\ufe0f佳", "最\u2060好"]


def test_emoji_between_characters_is_removed():
    assert hits("最🔥好的选择") == [("最🔥好", "absolute_terms", "block")]


def test_mixed_evasions_combine():
    assert hits("稳-賺-不-賠") == [("稳-賺-不-賠", "investment_promise", "block")]


def test_paired_quotes_inside_a_term_do_not_hide_it():
    assert hits("最「佳」拍档") == [("最「佳", "absolute_terms", "block")]


def test_sentence_punctuation_separates_words():
    assert [f.term for f in check_text("最，佳能相机")] == ["最"]


def test_ascii_sentence_punctuation_separates_words():
    assert [f.term for f in check_text("开.光")] == []


def test_line_break_separates_words():
    assert [f.term for f in check_text("保\n本")] == []


def test_unpaired_quote_separates_words():
    assert [f.normalized for f in check_text("把‘最’为改掉")] == ["最"]


def test_long_run_of_inserted_characters_is_layout_not_evasion():
    assert check_text("开" + " " * 40 + "光") == []


def test_fold_keeps_one_character_per_character():
    text = "全網 最低價！Ｎｏ．１\u200b"
    assert len(mark(text)) == len(text)


def test_fold_marks_removed_characters_with_the_sentinel():
    assert mark("a b") == "a" + SENTINEL + "b"


def test_fold_maps_any_decimal_digit_to_ascii():
    assert fold("１𝟐٣") == "123"


def test_fold_keeps_at_sign_and_percent():
    assert fold("ＡＢ＠ｑｑ．ｃｏｍ 100％") == "ab@qq.com100%"
