"""Longest match, exemptions, word boundaries, context rules, offsets."""

from mediadesk.compliance import check_text

from .helpers import blocking, hits


def test_longest_term_wins_over_terms_inside_it():
    assert hits("今天全网最低价") == [("全网最低价", "absolute_terms", "block")]


def test_finding_carries_the_suggested_rewrite():
    (finding,) = check_text("全网最低价")
    assert finding.suggestion == "限时特惠"


def test_bare_superlative_suggests_the_comparative():
    (finding,) = check_text("最耐磨的鞋底")
    assert (finding.term, finding.suggestion) == ("最", "较")


def test_time_adverbs_are_not_claims():
    assert check_text("最近上新，最后三天，最终解释权归本店，最初的配方") == []


def test_ordinals_are_not_rankings():
    assert check_text("第一季度营收增长，第一步先清洁") == []


def test_consumer_tips_are_not_claims():
    assert check_text("请在最佳赏味期内食用，最佳使用方法见说明书") == []


def test_stated_pursuit_is_not_a_claim():
    assert check_text("我们始终追求极致") == []


def test_exemption_does_not_cover_a_following_claim():
    assert [f.term for f in check_text("最近最好的选择")] == ["最好"]


def test_ascii_term_needs_a_word_boundary():
    assert check_text("Top 10 夏日好物，No.12 号店") == []


def test_ascii_term_matches_after_a_space():
    assert [f.term for f in check_text("the TOP1 choice")] == ["TOP1"]


def test_own_product_comparison_is_downgraded_to_warn():
    (finding,) = check_text("这是本品牌迄今最轻薄的一款")
    assert (finding.severity, finding.rule) == ("warn", "context:own_product_comparison")


def test_qualified_ranking_with_source_is_downgraded_to_warn():
    (finding,) = check_text("2023年天猫平台销量第一（数据来源：天猫年度报告）")
    assert (finding.severity, finding.rule) == ("warn", "context:verifiable_ranking")


def test_unqualified_ranking_blocks():
    assert [f.term for f in blocking("我们的销量第一")] == ["销量第一"]


def test_medical_claims_are_never_exempt_as_own_product_comparison():
    assert [f.term for f in blocking("这是本品牌迄今最有效的降压药")] == ["最有效"]


def test_quoted_mention_in_review_notes_is_downgraded_to_warn():
    severities = {f.term: f.severity for f in check_text("审核要点：禁用“国家级”“最佳”等极限词")}
    assert severities == {"国家级": "warn", "最佳": "warn"}


def test_quoted_term_without_review_context_still_blocks():
    assert [f.term for f in blocking("我们是“最佳”选择")] == ["最佳"]


def test_standard_grade_is_downgraded_to_info():
    (finding,) = check_text("按国家标准GB/T 19630，本品质量等级为顶级")
    assert finding.severity == "info"


def test_officially_awarded_title_is_info():
    (finding,) = check_text("荣获国家级非物质文化遗产称号")
    assert (finding.term, finding.severity) == ("国家级非物质文化遗产", "info")


def test_delivery_estimate_is_info():
    (finding,) = check_text("最快次日送达")
    assert finding.severity == "info"


def test_special_industry_word_is_a_warn_on_that_word():
    text = "暑期英语辅导班开始报名"
    (finding,) = check_text(text)
    assert (finding.category, finding.severity) == ("special_industry", "warn")
    assert text[finding.start : finding.end] == "辅导班"


def test_special_industry_covers_medical_drug_finance_and_education():
    found = {f.term for f in check_text("医院 药品 理财 培训") if f.category == "special_industry"}
    assert found == {"医院", "药品", "理财", "培训"}


def test_offsets_index_the_text_as_written():
    text = "買它！這款面霜效果最\u200b佳，全網最低價。"
    assert [text[f.start : f.end] for f in check_text(text)] == [f.term for f in check_text(text)]


def test_offsets_count_crlf_and_bom_characters():
    text = "\ufeff第一行\r\n最*佳"
    (finding,) = check_text(text)
    assert (finding.start, finding.end, finding.term) == (6, 9, "最*佳")


def test_offsets_are_python_string_offsets_for_astral_characters():
    text = "😀😀最佳"
    (finding,) = check_text(text)
    assert (finding.start, finding.end) == (2, 4)


def test_findings_are_ordered_by_start():
    starts = [f.start for f in check_text("电话13812345678，全网最低价，最好")]
    assert starts == sorted(starts)


def test_every_category_of_cmp2_is_detected():
    text = "砍死你 约炮 网赌 刷单 人肉搜索 骗子公司"
    assert {f.category for f in blocking(text)} == {
        "violence",
        "pornography",
        "gambling",
        "false_or_misleading",
        "privacy",
        "defamation",
    }


def test_clean_copy_has_no_findings():
    assert check_text("新品上市，欢迎到店选购。本周六门店举办亲子烘焙活动。") == []
