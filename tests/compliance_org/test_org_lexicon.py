import pytest
from django.test import Client

from mediadesk.audit.models import AuditEntry
from mediadesk.compliance import services
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.orgs import services as org_services
from mediadesk.orgs.models import UnitKind
from tests import factories as f

pytestmark = pytest.mark.django_db


def _terms(text, unit):
    return [(x.term, x.severity) for x in services.check(text, unit=unit)]


@pytest.fixture
def tree():
    bu, sibling = f.unit(name="示例地产"), f.unit(name="示例科技")
    dept = f.unit(bu, UnitKind.DEPARTMENT, name="市场部")
    return bu, sibling, dept


def test_a_units_own_term_applies_to_it_and_the_units_below_not_to_siblings(tree):
    bu, sibling, dept = tree
    services.add_entry(
        actor=f.superuser(),
        unit=bu,
        kind="term",
        text="学区房",
        category="real_estate",
        severity="block",
        suggestion="临近学校",
    )
    assert ("学区房", "block") in _terms("热销学区房", dept)
    assert ("学区房", "block") not in _terms("热销学区房", sibling)


def test_an_allowed_phrase_lifts_a_builtin_finding_for_that_unit_only(tree):
    bu, sibling, _ = tree
    flagged = [t for t, _severity in _terms("示例第一中学招生", sibling)]
    assert "第一" in flagged, "the built-in lexicon flags 第一"
    services.add_entry(actor=f.superuser(), unit=bu, kind="allow", text="示例第一中学", note="校名")
    assert "第一" not in [t for t, _severity in _terms("示例第一中学招生", bu)]
    assert [t for t, _severity in _terms("示例第一中学招生", sibling)] == flagged


def test_removing_an_entry_restores_the_previous_lexicon_and_both_steps_are_audited(tree):
    bu, *_ = tree
    entry = services.add_entry(
        actor=f.superuser(),
        unit=bu,
        kind="term",
        text="秒杀神价",
        category="urgency_inducement",
        severity="warn",
    )
    assert _terms("秒杀神价来了", bu)
    services.remove_entry(actor=f.superuser(), entry=entry)
    assert ("秒杀神价", "warn") not in _terms("秒杀神价来了", bu)
    actions = list(
        AuditEntry.objects.filter(action__startswith="compliance.entry").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["compliance.entry.add", "compliance.entry.remove"]


def test_the_lexicon_version_changes_with_an_addition(tree):
    bu, *_ = tree
    before = services.effective_lexicon(bu).version
    services.add_entry(
        actor=f.superuser(), unit=bu, kind="term", text="稳赚", category="investment_promise"
    )
    services._forget_cached_lexicons()
    assert services.effective_lexicon(bu).version != before


def test_the_same_entry_twice_is_a_conflict(tree):
    bu, *_ = tree
    services.add_entry(actor=f.superuser(), unit=bu, kind="allow", text="最佳赏味期限")
    with pytest.raises(Conflict):
        services.add_entry(actor=f.superuser(), unit=bu, kind="allow", text="最佳赏味期限")


def test_a_term_needs_a_snake_case_category(tree):
    bu, *_ = tree
    with pytest.raises(ValidationFailed):
        services.add_entry(
            actor=f.superuser(), unit=bu, kind="term", text="某词", category="Bad Category"
        )


def test_an_editor_cannot_change_the_lexicon(tree):
    bu, *_ = tree
    with pytest.raises(PermissionDenied):
        services.add_entry(actor=f.person(bu, "operator"), unit=bu, kind="allow", text="x")


def test_the_check_api_returns_findings_with_offsets_into_the_text(tree):
    bu, *_ = tree
    _, raw = org_services.create_api_token(actor=f.person(bu, "operator"), name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    text = "本店全網最低價，欢迎选购"
    body = client.post(
        "/api/v1/compliance/check",
        {"text": text, "unit_id": bu.pk},
        content_type="application/json",
    ).json()
    assert body["blocks"] is True
    finding = body["findings"][0]
    assert text[finding["start"] : finding["end"]] == finding["term"] == "全網最低價"
    assert finding["suggestion"]


def test_the_cli_checks_with_a_units_terms_when_asked(tree, tmp_path, monkeypatch, capsys):
    import json

    from mediadesk.compliance import cli, org_terms

    bu, sibling, _ = tree
    services.add_entry(
        actor=f.superuser(), unit=bu, kind="term", text="学区房", category="real_estate"
    )
    monkeypatch.setattr(org_terms, "database_configured", lambda: True)
    copy = tmp_path / "copy.txt"
    copy.write_text("楼盘紧邻学区房", encoding="utf-8")
    assert cli.main(["--json", "--org", bu.name, str(copy)]) == 1
    assert [x["term"] for x in json.loads(capsys.readouterr().out)] == ["学区房"]
    assert cli.main(["--json", "--org", sibling.name, str(copy)]) == 0


def test_the_cli_names_an_unknown_unit_and_exits_2(tmp_path, monkeypatch, capsys):
    from mediadesk.compliance import cli, org_terms

    monkeypatch.setattr(org_terms, "database_configured", lambda: True)
    copy = tmp_path / "copy.txt"
    copy.write_text("你好", encoding="utf-8")
    assert cli.main(["--org", "不存在的单位", str(copy)]) == 2
    assert "no unit has that name" in capsys.readouterr().err
