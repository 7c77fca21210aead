"""The live WeChat menu feeds the conformity check; a new menu needs someone else's approval."""

from __future__ import annotations

import pytest

from mediadesk.accounts.conformity import check_account
from mediadesk.accounts.standards import save_profile
from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.platforms import menus
from mediadesk.platforms.connectors import NotAuthorised
from mediadesk.platforms.models import MenuChangeRequest, MenuChangeStatus
from mediadesk.platforms.tasks import fetch_menus
from tests import factories

from .conftest import APPID, bound_wechat

pytestmark = pytest.mark.django_db

CONFORMING = {
    "button": [
        {
            "name": "走进示例",
            "sub_button": [
                {"type": "article_id", "name": "示例控股", "article_id": "ARTICLE_1"},
                {"type": "view", "name": "示例官网", "url": "https://www.example.com"},
            ],
        }
    ]
}
OFF_BRAND = {"button": [{"type": "view", "name": "最新活动", "url": "https://www.example.com/a"}]}


def menu_codes(account) -> list[str]:
    account.refresh_from_db()
    return [d.code for d in check_account(account) if d.code.startswith("menu")]


@pytest.fixture
def world(sim):
    account = bound_wechat()
    save_profile(actor=factories.superuser(), unit=factories.group(), brand_name="示例")
    tech = factories.person(factories.group(), "technical_support")  # menu.change
    hq = factories.person(factories.group(), "hq_communications")  # account.approve
    return {"account": account, "tech": tech, "hq": hq, "sim": sim}


def test_fetching_the_live_menu_updates_the_conformity_report(world):
    account, sim = world["account"], world["sim"]
    sim.set_menu_directly(OFF_BRAND)
    menus.refresh_menu(account=account)
    assert menu_codes(account) == ["menu_first"]
    sim.set_menu_directly(CONFORMING)
    menus.refresh_menu(account=account)
    assert menu_codes(account) == []


def test_an_account_without_a_live_menu_reports_it_missing(world):
    account = world["account"]
    account.wechat_menu = CONFORMING
    account.save()
    menus.refresh_menu(account=account)
    assert menu_codes(account) == ["menu_missing"]


def test_the_periodic_job_fetches_every_bound_wechat_menu(world):
    world["sim"].set_menu_directly(CONFORMING)
    assert fetch_menus({}) == {"fetched": 1, "failed": 0}
    world["account"].refresh_from_db()
    assert world["account"].wechat_menu["button"][0]["name"] == "走进示例"


def test_asking_for_a_menu_change_needs_menu_change_permission(world):
    operator = factories.person(world["account"].owning_unit, "operator")
    with pytest.raises(PermissionDenied):
        menus.request_menu_change(actor=operator, account=world["account"], menu=CONFORMING)
    assert not MenuChangeRequest.objects.exists()


def test_an_invalid_menu_is_refused_when_asked_for(world):
    four = {"button": [{"type": "click", "name": f"按钮{i}", "key": f"K{i}"} for i in range(4)]}
    with pytest.raises(ValidationFailed):
        menus.request_menu_change(actor=world["tech"], account=world["account"], menu=four)
    assert not MenuChangeRequest.objects.exists()


def test_a_requested_menu_is_not_sent_before_approval(world):
    menus.request_menu_change(actor=world["tech"], account=world["account"], menu=CONFORMING)
    assert world["sim"].requests() == []


def test_the_requester_cannot_approve_their_own_change(world):
    both = factories.person(
        factories.group(), "technical_support", "hq_communications", username="both"
    )
    change = menus.request_menu_change(actor=both, account=world["account"], menu=CONFORMING)
    with pytest.raises(PermissionDenied, match="someone else"):
        menus.approve_menu_change(actor=both, change=change)
    change.refresh_from_db()
    assert change.status == MenuChangeStatus.PENDING and world["sim"].requests() == []


def test_approval_sets_the_menu_on_wechat_once(world):
    account, sim = world["account"], world["sim"]
    change = menus.request_menu_change(actor=world["tech"], account=account, menu=CONFORMING)
    change = menus.approve_menu_change(actor=world["hq"], change=change, comment="同意")
    assert change.status == MenuChangeStatus.APPLIED
    (create,) = sim.requests("/cgi-bin/menu/create")
    assert create["body"] == CONFORMING
    assert sim.simulator.wechat.accounts[APPID].menu["button"][0]["name"] == "走进示例"


def test_an_applied_change_updates_the_account_record(world):
    account = world["account"]
    change = menus.request_menu_change(actor=world["tech"], account=account, menu=CONFORMING)
    menus.approve_menu_change(actor=world["hq"], change=change)
    assert menu_codes(account) == []


def test_each_step_of_a_menu_change_is_audited(world):
    change = menus.request_menu_change(
        actor=world["tech"], account=world["account"], menu=CONFORMING
    )
    menus.approve_menu_change(actor=world["hq"], change=change)
    entries = AuditEntry.objects.filter(
        object_type="platforms.menuchangerequest", object_id=str(change.pk)
    ).order_by("seq")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("platforms.menu_change.request", world["tech"].pk),
        ("platforms.menu_change.approve", world["hq"].pk),
        ("platforms.menu_change.apply", world["hq"].pk),
    ]


def test_a_platform_refusal_leaves_the_change_failed_with_the_reason(world):
    world["sim"].control(
        "POST", "faults", {"kind": "errcode", "path": "/cgi-bin/menu/create", "errcode": 48001}
    )
    change = menus.request_menu_change(
        actor=world["tech"], account=world["account"], menu=CONFORMING
    )
    with pytest.raises(NotAuthorised):
        menus.approve_menu_change(actor=world["hq"], change=change)
    change.refresh_from_db()
    assert (change.status, change.error_code) == (MenuChangeStatus.FAILED, "48001")


def test_a_second_change_waits_for_the_first_to_be_decided(world):
    menus.request_menu_change(actor=world["tech"], account=world["account"], menu=CONFORMING)
    with pytest.raises(Conflict, match="already waiting"):
        menus.request_menu_change(actor=world["tech"], account=world["account"], menu=OFF_BRAND)


def test_the_menu_change_endpoints_run_the_approval(world):
    from .test_bindings import api_client

    account = world["account"]
    asked = api_client(world["tech"]).post(
        f"/api/v1/accounts/{account.pk}/menu-changes",
        {"menu": CONFORMING, "reason": "品牌规范"},
        content_type="application/json",
    )
    assert asked.status_code == 201, asked.content
    approved = api_client(world["hq"]).post(
        f"/api/v1/menu-changes/{asked.json()['id']}/approve",
        {"comment": "同意"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "applied"


def test_the_fetch_endpoint_returns_the_live_menu_and_its_deviations(world):
    from .test_bindings import api_client

    world["sim"].set_menu_directly(OFF_BRAND)
    response = api_client(world["tech"]).post(f"/api/v1/accounts/{world['account'].pk}/menu/fetch")
    body = response.json()
    assert response.status_code == 200, body
    assert body["wechat_menu"]["button"][0]["name"] == "最新活动"
    assert [d["code"] for d in body["deviations"]] == ["menu_first"]
