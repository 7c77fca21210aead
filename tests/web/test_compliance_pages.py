"""The compliance pages: copy checked and highlighted in place, each unit's lexicon additions."""

from __future__ import annotations

import re

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.compliance import services
from mediadesk.compliance.models import LexiconEntry
from mediadesk.web.views.compliance import segments
from tests import factories as f
from tests.web.conftest import client_for

CHECK = "/compliance/check/"
LEXICON = "/compliance/lexicon/"


def _marks(html: str) -> list[tuple[str, str]]:
    """(severity, text) of each highlighted passage, in order."""
    body = html.split('id="highlighted"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<mark class="hl hl-(\w+)"[^>]*>(.*?)</mark>', body, flags=re.S)


def _highlighted(html: str) -> str:
    return html.split('id="highlighted"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]


@pytest.fixture
def lexicon_manager(bu):
    """Legal / PR on the business unit: may change its lexicon and those below it."""
    return f.person(bu, "reviewer_l3", username="legal")


def test_the_page_highlights_an_evaded_absolute_term_with_its_suggestion(operator_client):
    response = operator_client.get(CHECK)
    assert response.status_code == 200
    assert 'name="text"' in response.content.decode()

    response = operator_client.post(CHECK, {"text": "本店全網最低價", "unit": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert _marks(html) == [("block", "全網最低價")]
    assert _highlighted(html).startswith("本店<mark")
    assert 'data-category="absolute_terms"' in html
    assert "绝对化用语（极限词）" in html  # the lexicon's Chinese category label
    assert "限时特惠" in html  # the suggested rewrite
    assert "1 处阻断 / 0 处提示" in html
    assert "词库版本" in html and 'id="lexicon-version"' in html


def test_htmx_gets_only_the_form_and_result(operator_client):
    response = operator_client.post(
        CHECK, {"text": "这是最佳选择", "unit": ""}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="compliance-check"')
    assert "<nav" not in html
    assert _marks(html) == [("block", "最佳")]


def test_user_text_is_escaped_and_line_breaks_kept(operator_client):
    text = '<script>alert("x")</script>\n本店全网最低价 & <b>最佳</b>'
    html = operator_client.post(CHECK, {"text": text}).content.decode()
    assert "<script>alert" not in html
    assert "<b>最佳" not in html
    shown = _highlighted(html)
    assert shown.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\n本店<mark")
    assert "&amp; &lt;b&gt;<mark" in shown
    assert [m[1] for m in _marks(html)] == ["全网最低价", "最佳"]


def test_segments_join_back_to_the_text_even_with_overlapping_marks():
    text = "ab最佳cd"
    marks = [
        {"start": 2, "end": 4, "n": 1},
        {"start": 3, "end": 5, "n": 2},  # overlaps the first: cut to start after it
        {"start": 2, "end": 3, "n": 3},  # inside the first: dropped
        {"start": 5, "end": 99, "n": 4},  # past the end: clipped
    ]
    pieces = segments(text, marks)
    assert "".join(p["text"] for p in pieces) == text
    assert [(p["text"], p["mark"] and p["mark"]["n"]) for p in pieces] == [
        ("ab", None),
        ("最佳", 1),
        ("c", 2),
        ("d", 4),
    ]


def test_empty_text_is_refused_next_to_the_textarea(operator_client):
    response = operator_client.post(CHECK, {"text": ""})
    assert response.status_code == 400
    assert "请粘贴需要检测的文案" in response.content.decode()


def test_a_units_own_term_applies_when_that_unit_is_chosen(operator_client, dept, hq):
    services.add_entry(
        actor=hq, unit=dept, kind="term", text="小蓝瓶", category="false_exaggeration",
        severity="warn", suggestion="精华液",
    )  # fmt: skip
    text = "小蓝瓶上新"
    html = operator_client.post(CHECK, {"text": text, "unit": dept.pk}).content.decode()
    assert _marks(html) == [("warn", "小蓝瓶")]
    assert "精华液" in html and "0 处阻断 / 1 处提示" in html
    assert "市场部" in html  # the result says whose lexicon was used
    html = operator_client.post(CHECK, {"text": text, "unit": ""}).content.decode()
    assert _marks(html) == []
    assert "未发现问题" in html
    # The person's own unit is chosen by default.
    form = operator_client.get(CHECK).content.decode()
    assert f'<option value="{dept.pk}" selected>' in form


def test_a_unit_outside_ones_view_cannot_be_chosen(operator_client):
    other = f.unit(name="华南事业部")
    response = operator_client.post(CHECK, {"text": "最佳", "unit": other.pk})
    assert response.status_code == 400
    assert "<mark" not in response.content.decode()


def test_the_lexicon_page_lists_categories_and_inherited_entries(operator_client, bu, dept, hq):
    services.add_entry(
        actor=hq, unit=bu, kind="term", text="爆款王", category="absolute_terms",
        severity="block", suggestion="热销款",
    )  # fmt: skip
    services.add_entry(actor=hq, unit=bu, kind="allow", text="第一太平", note="注册商标")
    services.add_entry(actor=hq, unit=dept, kind="allow", text="最佳拍档", note="节目名")
    response = operator_client.get(LEXICON, {"unit": dept.pk})
    html = response.content.decode()
    assert response.status_code == 200
    categories = html.split('id="lexicon-categories"', 1)[1]
    assert "absolute_terms" in categories and "绝对化用语（极限词）" in categories
    assert "个人信息：手机号" in categories
    terms = html.split('id="lexicon-terms"', 1)[1].split("</table>", 1)[0]
    assert "爆款王" in terms and "热销款" in terms and "继承自 华东事业部" in terms
    allowed = html.split('id="lexicon-allowed"', 1)[1].split("</table>", 1)[0]
    assert "第一太平" in allowed and "注册商标" in allowed and "继承自 华东事业部" in allowed
    assert "最佳拍档" in allowed and "本单位" in allowed
    # An operator sees the entries but no controls.
    assert "添加敏感词" not in html and "compliance/lexicon/entries/" not in html
    assert 'name="op"' not in html


def test_a_manager_adds_and_removes_entries(lexicon_manager, dept):
    client = client_for(lexicon_manager)
    page = client.get(LEXICON, {"unit": dept.pk}).content.decode()
    assert "添加敏感词" in page and "添加白名单短语" in page

    response = client.post(
        f"{LEXICON}?unit={dept.pk}",
        {
            "op": "term",
            "term-text": "神仙水",
            "term-category": "false_exaggeration",
            "term-severity": "block",
            "term-suggestion": "精华水",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LEXICON}?unit={dept.pk}"
    entry = LexiconEntry.objects.get(text="神仙水", removed_at__isnull=True)
    assert entry.org_unit == dept and entry.created_by == lexicon_manager
    assert AuditEntry.objects.filter(action="compliance.entry.add").exists()
    html = client.get(LEXICON, {"unit": dept.pk}).content.decode()
    assert "神仙水" in html and "data-confirm" in html

    html = client.post(CHECK, {"text": "神仙水", "unit": dept.pk}).content.decode()
    assert _marks(html) == [("block", "神仙水")]

    response = client.post(f"/compliance/lexicon/entries/{entry.pk}/remove/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.removed_at is not None
    assert AuditEntry.objects.filter(action="compliance.entry.remove").exists()
    html = client.post(CHECK, {"text": "神仙水", "unit": dept.pk}).content.decode()
    assert _marks(html) == []


def test_the_services_errors_show_next_to_the_inputs(lexicon_manager, dept):
    client = client_for(lexicon_manager)
    url = f"{LEXICON}?unit={dept.pk}"
    response = client.post(url, {"op": "term", "term-text": "神仙水", "term-severity": "block"})
    html = response.content.decode()
    assert response.status_code == 400
    category_field = html.split('id="id_term-category"', 1)[1].split("</div>", 1)[0]
    assert 'class="field-error"' in category_field  # "A term needs a category."
    assert "敏感词需要类别" in html

    response = client.post(url, {"op": "allow", "allow-text": "", "allow-note": ""})
    html = response.content.decode()
    assert response.status_code == 400
    text_field = html.split('id="id_allow-text"', 1)[1].split("</div>", 1)[0]
    assert 'class="field-error"' in text_field
    assert not LexiconEntry.objects.exists()


def test_adding_and_removing_is_refused_for_an_editor(operator_client, dept, hq):
    response = operator_client.post(
        f"{LEXICON}?unit={dept.pk}",
        {"op": "term", "term-text": "神仙水", "term-category": "false_exaggeration"},
    )
    assert response.status_code == 403
    assert not LexiconEntry.objects.exists()

    entry = services.add_entry(actor=hq, unit=dept, kind="allow", text="最佳拍档")
    response = operator_client.post(f"/compliance/lexicon/entries/{entry.pk}/remove/")
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.removed_at is None
    # Removing needs a POST.
    assert operator_client.get(f"/compliance/lexicon/entries/{entry.pk}/remove/").status_code == 405


def test_the_navigation_offers_the_compliance_pages(operator_client):
    html = operator_client.get(CHECK).content.decode()
    nav = html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    assert "合规检测" in nav
    assert 'data-nav="compliance_check" aria-current="page"' in nav
    assert 'data-nav="compliance_lexicon"' in nav


def test_a_person_without_roles_checks_with_the_built_in_lexicon(nobody_client):
    page = nobody_client.get(CHECK).content.decode()
    assert 'name="unit"' not in page and "使用内置词库检测" in page
    html = nobody_client.post(CHECK, {"text": "第 一 品牌"}).content.decode()
    assert _marks(html) == [("block", "第 一 品牌")]
    assert "仅内置词库" in html
    response = nobody_client.get(LEXICON)
    assert response.status_code == 200
    assert "绝对化用语（极限词）" in response.content.decode()
