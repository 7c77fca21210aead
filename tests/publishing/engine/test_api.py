"""The publishing API: lists with filters, detail with attempts, and the person's actions,
in the house shapes (lists ``items/total/page/page_size``, errors ``code/message/fields``)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from mediadesk.orgs import services as orgs
from mediadesk.publishing.models import PublicationState
from tests import factories as f
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0, run

S = PublicationState


def _client(person) -> Client:
    _, raw = orgs.create_api_token(actor=person, name="api")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_detail_shows_every_attempt(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    sim.fault(kind="http_status", path="/cgi-bin/draft/add", status=503)
    clock.move_to(T0)
    run()
    clock.shift(timedelta(seconds=30))
    run()

    body = _client(team.author).get(f"/api/v1/publications/{pub.pk}").json()

    assert body["state"] == "published" and body["url"].startswith("https://mp.weixin.qq.com/")
    operations = [(a["operation"], a["outcome"]) for a in body["attempt_log"]]
    assert operations[:3] == [("create", "unknown"), ("reconcile", "not_found"), ("create", "ok")]
    assert body["attempt_log"][0]["error_code"] == "WeChat 503"


def test_the_list_filters_by_state_account_and_time(team, wechat, sim, clock):
    other = f.account(team.unit, platform="xiaohongshu", name="小红书号")
    a = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    pf.publication(
        pf.approved_item(team, other), other, at=T0 + timedelta(days=1), owner=team.author
    )
    client = _client(team.author)

    page = client.get("/api/v1/publications", {"account": wechat.pk}).json()
    assert (page["total"], [p["id"] for p in page["items"]]) == (1, [a.pk])
    assert set(page) == {"items", "total", "page", "page_size"}
    assert client.get("/api/v1/publications", {"state": "failed"}).json()["total"] == 0
    end = (T0 + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/publications", {"end": end}).json()["total"] == 1
    assert client.get("/api/v1/publications", {"unit": team.unit.pk}).json()["total"] == 2

    bad = client.get("/api/v1/publications", {"state": "nonsense"})
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}


def test_someone_from_another_unit_sees_nothing(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    stranger = f.person(f.unit(), "operator")

    client = _client(stranger)
    assert client.get("/api/v1/publications").json()["total"] == 0
    assert client.get(f"/api/v1/publications/{pub.pk}").status_code == 404


def test_confirming_an_assisted_post_through_the_api(team, sim, clock):
    account = f.account(team.unit, platform="zhihu", name="知乎号")
    pub = pf.publication(pf.approved_item(team, account), account, at=T0, owner=team.author)
    clock.move_to(T0)
    run()
    client = _client(team.author)

    detail = client.get(f"/api/v1/publications/{pub.pk}").json()
    assert detail["state"] == "awaiting_person" and detail["package"]["text"]
    wrong = _post(client, f"/api/v1/publications/{pub.pk}/confirm", {"url": "https://x.com/1"})
    assert wrong.status_code == 422 and wrong.json()["fields"]
    ok = _post(
        client,
        f"/api/v1/publications/{pub.pk}/confirm",
        {"url": "https://zhuanlan.zhihu.com/p/123456", "version": detail["version"]},
    )
    assert ok.status_code == 200 and ok.json()["state"] == "published"


def test_retry_with_a_stale_version_is_a_conflict(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    pub.__class__.objects.filter(pk=pub.pk).update(state=S.FAILED, version=7)

    response = _post(_client(team.author), f"/api/v1/publications/{pub.pk}/retry", {"version": 6})

    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_withdrawal_request_approval_and_list(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    clock.move_to(T0)
    run()
    clock.shift(timedelta(seconds=10))
    run()
    author, approver = _client(team.author), _client(team.approver)

    created = _post(author, f"/api/v1/publications/{pub.pk}/withdrawals", {"reason": "数据错误"})
    assert created.status_code == 201
    wid = created.json()["id"]
    own = _post(author, f"/api/v1/withdrawals/{wid}/approve")
    assert own.status_code == 403
    listed = approver.get("/api/v1/withdrawals", {"status": "pending"}).json()
    assert [w["id"] for w in listed["items"]] == [wid]
    approved = _post(approver, f"/api/v1/withdrawals/{wid}/approve", {"comment": "同意"})
    assert approved.json()["status"] == "approved"
    run()

    assert author.get(f"/api/v1/publications/{pub.pk}").json()["state"] == "withdrawn"
    assert approver.get("/api/v1/withdrawals", {"status": "done"}).json()["total"] == 1
