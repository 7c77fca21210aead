"""Target figures as planners write them in 模板1 (万 = 10,000)."""

from __future__ import annotations

import pytest

from mediadesk.publishing.plan_targets import (
    Targets,
    TargetsInvalid,
    format_targets,
    parse_targets,
)


def test_the_seeds_first_row_reads_as_exposure_and_interaction():
    assert parse_targets("曝光30万+，互动1万+") == Targets(exposure=300_000, interaction=10_000)


def test_plays_count_as_exposure_and_conversions_as_conversion():
    assert parse_targets("播放量50万+，转化2000+") == Targets(exposure=500_000, conversion=2_000)


def test_topic_reads_are_exposure_and_reposts_interaction():
    assert parse_targets("话题阅读量20万+，转发5万+") == Targets(
        exposure=200_000, interaction=50_000
    )


def test_decimal_wan_is_exact():
    assert parse_targets("互动3.2万").interaction == 32_000


def test_parts_for_one_metric_add_up():
    assert parse_targets("点赞2.8万；评论0.4万").interaction == 32_000


def test_an_empty_cell_means_no_targets():
    assert parse_targets("  ") == Targets()


def test_an_unknown_figure_is_named():
    with pytest.raises(TargetsInvalid) as caught:
        parse_targets("曝光30万+，粉丝好评如潮")
    assert caught.value.part == "粉丝好评如潮"


def test_a_fraction_of_a_post_is_refused():
    with pytest.raises(TargetsInvalid, match="whole number"):
        parse_targets("转化0.5")


def test_figures_are_written_back_the_plans_way():
    assert format_targets(Targets(300_000, 10_000, 2_000)) == "曝光30万+，互动1万+，转化2000+"
    assert format_targets(Targets(exposure=32_000)) == "曝光3.2万+"
