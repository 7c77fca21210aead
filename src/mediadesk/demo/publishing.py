"""Demo publishing for 示例科技: a calendar around today with published posts (with their links),
a failed one, a possibly published one, scheduled ones and a withdrawal waiting for approval.

Nothing is written by hand: posts are scheduled with ``planning.schedule_publication`` and sent by
the engine (``engine.tick`` and the jobs it queues, as the job runner runs them) to a platform
simulator started for the purpose, so every state, attempt, platform id, link and audit entry is
the real thing. The past is played through a demo clock: while a past day is being replayed,
``django.utils.timezone.now`` answers that moment (the engine, the jobs and the audit log all
read it), so the history sits on the days it is shown on.

* published: two WeChat articles earlier this month (the engine's draft → freepublish → result →
  check after publishing), one of them with a withdrawal requested by 张编辑 for HQ to approve;
* failed: a WeChat article while the simulator said the account was not verified (48001);
* possibly published: a Weibo post whose send timed out — Weibo cannot be asked whether it went
  out, so the engine hands it to a person instead of posting again;
* scheduled: posts in the coming days, through the planner.

Idempotent: once any publication exists nothing is added. Without the simulator in this build,
only the future posts are scheduled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import httpx
from django.conf import settings
from django.utils import timezone

from mediadesk.accounts.models import SocialAccount
from mediadesk.content import services as content
from mediadesk.content.models import Asset, ContentItem, Goal, Variant
from mediadesk.core.context import acting
from mediadesk.jobs import services as jobs
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.platforms.models import PlatformBinding
from mediadesk.publishing import engine, planning, services
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import Publication, PublicationState

log = logging.getLogger("mediadesk.demo")
UNIT = "示例科技"
WEIBO_LINK = "https://example.com/x1"  # the demo Weibo app's safe domain


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """Replay a moment of the past: everything reading ``timezone.now`` sees ``at``."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _run(rounds: int = 30) -> None:
    """What the job runner does, until nothing is due at the (demo) clock's time."""
    for _ in range(rounds):
        engine.tick()
        claimed = jobs.claim_due_jobs("demo", 50)
        if not claimed:
            return
        for job in claimed:
            jobs.run_job(job.id, "demo")


def _replay(at: dt.datetime, minutes: int = 90, step: int = 5) -> None:
    """Let the engine work from ``at`` for ``minutes`` of demo time (results, the check)."""
    for offset in range(0, minutes + 1, step):
        with _clock(at + dt.timedelta(minutes=offset, seconds=5)):
            _run()


def _approve(item: ContentItem, people: dict[str, User]) -> ContentItem:
    state = content.submit_for_review(actor=people["editor"], item=item)
    for who in ("review1", "review2", "legal"):
        state.refresh_from_db()
        state = content.decide(
            actor=people[who],
            state=state,
            action="approve",
            revision=state.revision.number,
            version=state.version,
            checklist=dict.fromkeys(state.stage.checklist, True),
        )
    item.refresh_from_db()
    return item


def _item(
    people: dict[str, User], unit: OrgUnit, account: SocialAccount, title: str, body: str
) -> Variant:
    goal = Goal.objects.filter(owning_unit=unit).order_by("pk").first()
    data: dict[str, Any] = {"account": account, "title": title, "body": body}
    if account.is_wechat:
        cover = (
            Asset.objects.filter(owning_unit=unit, kind="image", licence="own")
            .order_by("pk")
            .first()
        )
        data.update(digest=title[:40], cover=cover.pk if cover else None)
        data["original_url"] = WEIBO_LINK
    item = content.create_item(
        actor=people["editor"], owning_unit=unit, title=title, variants=[data], goal=goal
    )
    return _approve(item, people).variants.get(account=account)


def _item_before(at: dt.datetime, *args: Any) -> Variant:
    """An item written and approved two days before its slot, as the review flow table shows."""
    with _clock(at - dt.timedelta(days=2)):
        return _item(*args)


def _schedule(editor: User, variant: Variant, at: dt.datetime) -> Publication:
    with _clock(at - dt.timedelta(days=1)):  # planned the day before
        return planning.schedule_publication(actor=editor, variant=variant, at=at).publication


@contextmanager
def _simulator() -> Iterator[Any]:
    from mediadesk.platforms.simulator.embedded import demo_config
    from mediadesk.platforms.simulator.server import Simulator

    simulator = Simulator(dataclasses.replace(demo_config(port=0), publish_delay=0.0))
    base_url = simulator.start()
    saved = (
        getattr(settings, "MEDIADESK_SIMULATOR_URL", ""),
        getattr(settings, "MEDIADESK_PLATFORM_TIMEOUT_SECONDS", None),
    )
    settings.MEDIADESK_SIMULATOR_URL = base_url
    settings.MEDIADESK_PLATFORM_TIMEOUT_SECONDS = 1.0
    try:
        yield simulator
    finally:
        settings.MEDIADESK_SIMULATOR_URL = saved[0]
        if saved[1] is None:
            del settings.MEDIADESK_PLATFORM_TIMEOUT_SECONDS
        else:
            settings.MEDIADESK_PLATFORM_TIMEOUT_SECONDS = saved[1]
        simulator.stop()


def _control(simulator: Any, path: str, body: dict[str, Any]) -> None:
    httpx.post(f"{simulator.base_url}/_sim/{path}", json=body, timeout=10).raise_for_status()


def seed_publishing() -> None:
    if Publication.objects.exists():
        return
    unit = OrgUnit.objects.filter(name=UNIT).first()
    people = {u.username: u for u in User.objects.filter(username__in=DEMO_PEOPLE)}
    if unit is None or set(people) != set(DEMO_PEOPLE):
        return
    accounts = SocialAccount.objects.filter(owning_unit=unit, status="active")
    bound = set(PlatformBinding.objects.filter(enabled=True).values_list("account_id", flat=True))
    wechat = next((a for a in accounts if a.is_wechat and a.pk in bound), None)
    weibo = next((a for a in accounts if a.platform == "weibo" and a.pk in bound), None)
    if wechat is None:
        return
    today = rules.local_today()
    real_now = timezone.now()
    with acting(source="demo"):
        _future(people, unit, wechat, weibo, today)
        try:
            from mediadesk.platforms.simulator.server import Simulator  # noqa: F401
        except ImportError:
            return
        with _simulator() as simulator:
            _history(simulator, people, unit, wechat, weibo, today, real_now)
    log.info("demo publishing ready (%d publications)", Publication.objects.count())


DEMO_PEOPLE = ("editor", "review1", "review2", "legal", "hq")


def _future(
    people: dict[str, User],
    unit: OrgUnit,
    wechat: SocialAccount,
    weibo: SocialAccount | None,
    today: dt.date,
) -> None:
    """Scheduled posts in the coming days, at real time (the planner checks they lie ahead)."""
    editor = people["editor"]
    plans = [
        (wechat, "云帆 X1 使用技巧：三招延长续航", 2, dt.time(8, 30)),
        (wechat, "示例科技客户服务周开幕", 5, dt.time(19, 30)),
    ]
    if weibo is not None:
        plans.append((weibo, "云帆 X1 体验店周末活动预告", 3, dt.time(20, 0)))
    for account, title, days, at in plans:
        variant = _item(
            people,
            unit,
            account,
            title,
            f"<p>{title}，详情见 {WEIBO_LINK}</p>"
            if account.platform == "weibo"
            else f"<p>{title}。</p>",
        )
        planning.schedule_publication(
            actor=editor,
            variant=variant,
            at=rules.local_datetime(today + dt.timedelta(days=days), at),
        )


def _history(
    simulator: Any,
    people: dict[str, User],
    unit: OrgUnit,
    wechat: SocialAccount,
    weibo: SocialAccount | None,
    today: dt.date,
    real_now: dt.datetime,
) -> None:
    editor = people["editor"]
    app_id = PlatformBinding.objects.get(account=wechat).app_id

    def day(back: int, hour: int, minute: int = 0) -> dt.datetime | None:
        at = rules.local_datetime(today - dt.timedelta(days=back), dt.time(hour, minute))
        return at if at < real_now - dt.timedelta(hours=2) else None

    # published, one of them with a withdrawal waiting for HQ
    published = []
    for back, title in ((6, "云帆 X1 正式发布：三大功能升级"), (3, "示例科技年度用户大会回顾")):
        at = day(back, 8, 30)
        if at is None:
            continue
        variant = _item_before(at, people, unit, wechat, title, f"<p>{title}。欢迎体验。</p>")
        pub = _schedule(editor, variant, at)
        _replay(at)
        pub.refresh_from_db()
        published.append(pub)
    if published and published[0].state == PublicationState.PUBLISHED:
        with _clock(published[0].scheduled_at + dt.timedelta(days=1)):
            services.request_withdrawal(
                actor=editor,
                publication=published[0],
                reason="文中售价与官网不一致，需下线更正后重发。",
            )

    # failed: the platform refused (the account was not verified at that moment)
    at = day(2, 19, 0)
    if at is not None:
        variant = _item_before(
            at, people, unit, wechat, "云帆 X1 限时体验活动", "<p>限时体验活动。</p>"
        )
        _schedule(editor, variant, at)
        _control(simulator, "wechat/account", {"appid": app_id, "verified": False})
        try:
            _replay(at, minutes=10)
        finally:
            _control(simulator, "wechat/account", {"appid": app_id, "verified": True})

    # possibly published: a Weibo send that timed out; Weibo cannot be asked
    at = day(1, 20, 0)
    if at is not None and weibo is not None and _weibo_connected(simulator):
        title = "云帆 X1 体验店开业"
        body = f"<p>{title}，欢迎到店体验 {WEIBO_LINK}</p>"
        variant = _item_before(at, people, unit, weibo, title, body)
        _schedule(editor, variant, at)
        _control(
            simulator,
            "faults",
            {"kind": "hang", "path": "/weibo/2/statuses/share.json", "seconds": 2, "process": True},
        )
        with _clock(at + dt.timedelta(seconds=5)):
            _run()
        time.sleep(2.2)  # the hung request ends on the simulator's side
        _replay(at + dt.timedelta(minutes=5), minutes=45, step=5)


def _weibo_connected(simulator: Any) -> bool:
    from mediadesk.platforms.simulated import authorise_accounts

    return authorise_accounts(simulator, "http://127.0.0.1") > 0
