"""Best times, frequency rules and the platforms' own quotas (PUB-2, PUB-3), and local time.

Times are stored in UTC and planned in the display time zone (settings ``TIME_ZONE``,
Asia/Shanghai by default): a best-time slot "19:00–20:00" and a plan day are local, and every
conversion goes through :func:`to_local` / :func:`local_datetime` here, so no caller builds
a datetime in the wrong zone (Postiz #1954, Shoutrrr #61).

The platform defaults come from the seeds and are written once, by :func:`seed_default_planning`
(called lazily where they are read, like ``content.services.seed_default_workflow``); people
then edit them. An account's own slots replace its platform's; its own frequency rules replace
the platform and matrix-role defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mediadesk.accounts.models import MatrixRole, Platform, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.publishing.models import BestTimeSlot, FrequencyPeriod, FrequencyRule, SlotKind

ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)
WEEKDAYS = (1, 2, 3, 4, 5)
WEEKEND = (6, 7)
WECHAT = (Platform.WECHAT_SUBSCRIPTION, Platform.WECHAT_SERVICE)

#: Platforms without a publishing API the product uses: a person posts in the app (assisted
#: publishing). Mirrors ``platforms.connectors.registry``; a website has no connector either,
#: so its posts are assisted too.
ASSISTED_PLATFORMS = frozenset(
    {
        Platform.XIAOHONGSHU,
        Platform.WECHAT_CHANNELS,
        Platform.ZHIHU,
        Platform.KUAISHOU,
        Platform.BILIBILI,
        Platform.WEBSITE,
    }
)


# -- local time ---------------------------------------------------------------------------


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def aware(at: dt.datetime) -> dt.datetime:
    """A naive datetime is a local wall-clock time (what a person typed); aware ones stay."""
    return at if timezone.is_aware(at) else at.replace(tzinfo=local_tz())


def to_local(at: dt.datetime) -> dt.datetime:
    return aware(at).astimezone(local_tz())


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=local_tz())


def day_start(day: dt.date) -> dt.datetime:
    """The instant the local ``day`` begins (aware)."""
    return local_datetime(day, dt.time.min)


def local_today() -> dt.date:
    return timezone.now().astimezone(local_tz()).date()


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The local day, ISO week (Monday–Sunday) or calendar month containing ``day``; both
    ends inclusive."""
    if period == FrequencyPeriod.DAY:
        return day, day
    if period == FrequencyPeriod.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def periods_overlapping(period: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    found = []
    day = start
    while day <= end:
        bounds = period_bounds(period, day)
        found.append(bounds)
        day = bounds[1] + dt.timedelta(days=1)
    return found


# -- defaults from the seeds ----------------------------------------------------------------

#: (platforms, weekdays, from, until, kind, weight, label)
DEFAULT_SLOTS: tuple[tuple[tuple[str, ...], tuple[int, ...], str, str, str, int, str], ...] = (
    # Seed 003: 公众号用户活跃度为早8-9点、晚7-8点.
    (WECHAT, ALL_DAYS, "08:00", "09:00", SlotKind.REGULAR, 1, "早间阅读高峰"),
    (WECHAT, ALL_DAYS, "19:00", "20:00", SlotKind.REGULAR, 1, "晚间阅读高峰"),
    # Seed 002 (微信公众号3 §6): 白天推送内容，适合做产品的促销.
    (WECHAT, ALL_DAYS, "09:00", "18:00", SlotKind.PROMOTION, 1, "白天（促销）"),
    # Seed 003: 抖音用户高峰为午12-13点、晚8-10点.
    ((Platform.DOUYIN,), ALL_DAYS, "12:00", "13:00", SlotKind.REGULAR, 1, "午间高峰"),
    ((Platform.DOUYIN,), ALL_DAYS, "20:00", "22:00", SlotKind.REGULAR, 1, "晚间高峰"),
    # Seed 004 (企业微博发布时间规律): weekday evenings 18–23, users most active on Wednesday
    # and Thursday; weekends after lunch (13–14) and around dinner (17–20).
    ((Platform.WEIBO,), (1, 2, 5), "18:00", "23:00", SlotKind.REGULAR, 1, "工作日晚间"),
    ((Platform.WEIBO,), (3, 4), "18:00", "23:00", SlotKind.REGULAR, 2, "周三、周四晚间"),
    ((Platform.WEIBO,), WEEKEND, "13:00", "14:00", SlotKind.REGULAR, 1, "周末午饭后"),
    ((Platform.WEIBO,), WEEKEND, "17:00", "20:00", SlotKind.REGULAR, 1, "周末晚饭前后"),
)

_DAILY_CAP_NOTE = "防刷屏：每天至多 {n} 条（默认值，可修改）"
#: (platform, matrix role, period, at least, at most, note)
DEFAULT_RULES: tuple[tuple[str, str, str, int, int | None, str], ...] = (
    # Seed 004 第八条: 微信公众号每周至少更新3次. Seed 000 §3.3 asks for 2–3 a week; the group's
    # own rule (004) is the stricter one and names a number, so 3 is the default.
    *((p, "", FrequencyPeriod.WEEK, 3, None, "每周至少更新3次（制度004第八条）") for p in WECHAT),
    # Not flooding followers: a WeChat push carries up to 8 articles at once, so more than three
    # separate posts a day means the plan should bundle them.
    *((p, "", FrequencyPeriod.DAY, 0, 3, _DAILY_CAP_NOTE.format(n=3)) for p in WECHAT),
    # Seed 004 第八条: 微博每天至少发布1条. Ten a day is the cap before an official account reads
    # as a bot to its followers.
    (Platform.WEIBO, "", FrequencyPeriod.DAY, 1, 10, "每天至少发布1条（制度004第八条）；至多10条"),
    # The video and note platforms: "根据实际情况制定" (004) — no minimum, a daily cap of 3.
    *(
        (p, "", FrequencyPeriod.DAY, 0, 3, _DAILY_CAP_NOTE.format(n=3))
        for p in (
            Platform.DOUYIN,
            Platform.KUAISHOU,
            Platform.BILIBILI,
            Platform.XIAOHONGSHU,
            Platform.WECHAT_CHANNELS,
            Platform.ZHIHU,
        )
    ),
    # PUB-3: a campaign (promotion / activity) account posts at least once a day while it runs.
    ("", MatrixRole.CAMPAIGN, FrequencyPeriod.DAY, 1, None, "活动账号每天至少1条"),
)


#: pg_advisory_xact_lock key: two first readers at once must not both write the defaults.
_SEED_LOCK = 0x6D646B_706C616E  # "mdk" "plan"


def _defaults_exist() -> tuple[bool, bool]:
    return (
        BestTimeSlot.objects.filter(account__isnull=True).exists(),
        FrequencyRule.objects.filter(account__isnull=True).exists(),
    )


@transaction.atomic
def seed_default_planning() -> bool:
    """Write the seeds' best times and frequency defaults once; True when it wrote them.

    Idempotent: the slots are written only while no platform-level slot exists, the rules only
    while no default rule exists, so defaults that people edited or deleted are not put back
    (delete every one of them and they return with the next read). The first check takes no
    lock; only a writer serialises on PostgreSQL, so two first readers cannot both write.
    """
    if all(_defaults_exist()):
        return False  # the usual case: no lock taken
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEED_LOCK])
    slots_exist, rules_exist = _defaults_exist()
    wrote = False
    if not slots_exist:
        for platforms, weekdays, starts, ends, kind, weight, label in DEFAULT_SLOTS:
            for platform in platforms:
                BestTimeSlot.objects.create(
                    platform=platform,
                    weekdays=list(weekdays),
                    starts=dt.time.fromisoformat(starts),
                    ends=dt.time.fromisoformat(ends),
                    kind=kind,
                    weight=weight,
                    label=label,
                )
        wrote = True
    if not rules_exist:
        for platform, role, period, minimum, maximum, note in DEFAULT_RULES:
            FrequencyRule.objects.create(
                platform=platform,
                matrix_role=role,
                period=period,
                minimum=minimum,
                maximum=maximum,
                note=note,
            )
        wrote = True
    if wrote:
        record_event(
            action="publishing.defaults.seed",
            object_type="publishing.besttimeslot",
            after={"slots": len(DEFAULT_SLOTS), "rules": len(DEFAULT_RULES)},
        )
    return wrote


# -- best times -----------------------------------------------------------------------------


def effective_slots(account: SocialAccount) -> list[BestTimeSlot]:
    """The account's own slots, else its platform's (seeded on first use)."""
    own = list(BestTimeSlot.objects.filter(account=account))
    if own:
        return own
    seed_default_planning()
    return list(BestTimeSlot.objects.filter(account__isnull=True, platform=account.platform))


def slots_on(slots: list[BestTimeSlot], day: dt.date, kind: str) -> list[BestTimeSlot]:
    """The ``kind`` slots that apply on ``day``; a kind the account has none of falls back to
    its regular slots (a Weibo promotion goes out at Weibo's best times)."""
    of_kind = [s for s in slots if s.kind == kind] or [
        s for s in slots if s.kind == SlotKind.REGULAR
    ]
    weekday = day.isoweekday()
    return [s for s in of_kind if weekday in (s.weekdays or [])]


def slot_at(slots: list[BestTimeSlot], at: dt.datetime, kinds: tuple[str, ...]) -> Any:
    """The slot (of one of ``kinds``) that local time ``at`` falls in, or None."""
    local = to_local(at)
    for slot in slots:
        if (
            slot.kind in kinds
            and local.isoweekday() in (slot.weekdays or [])
            and slot.starts <= local.time() < slot.ends
        ):
            return slot
    return None


# -- frequency ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One frequency rule as it applies to an account, wherever it came from."""

    period: str
    minimum: int
    maximum: int | None
    source: str  # "account", "platform", "matrix_role" or "weekly_target"
    note: str = ""
    rule_id: int | None = None


def _applies(rule: FrequencyRule, account: SocialAccount) -> bool:
    if rule.platform and rule.matrix_role:
        return rule.platform == account.platform and rule.matrix_role == account.matrix_role
    if rule.platform:
        return rule.platform == account.platform
    return bool(rule.matrix_role) and rule.matrix_role == account.matrix_role


def _resolve(
    account: SocialAccount, own: list[FrequencyRule], defaults: list[FrequencyRule]
) -> list[Rule]:
    if own:
        rules = [Rule(r.period, r.minimum, r.maximum, "account", r.note, r.pk) for r in own]
    else:
        rules = [
            Rule(
                r.period,
                r.minimum,
                r.maximum,
                "platform" if r.platform else "matrix_role",
                r.note,
                r.pk,
            )
            for r in defaults
            if _applies(r, account)
        ]
    target = account.target_posts_per_week
    if target and not any(
        r.period == FrequencyPeriod.WEEK and r.source == "account" for r in rules
    ):
        rules.append(
            Rule(FrequencyPeriod.WEEK, target, None, "weekly_target", "账号每周目标发文数")
        )
    return rules


def rules_for(account: SocialAccount) -> list[Rule]:
    """The account's own rules if it has any, else its platform's and matrix role's defaults;
    plus its registered weekly target (ACC-1) as a weekly minimum unless a weekly rule of its
    own says otherwise."""
    return rules_for_many([account])[account.pk]


def rules_for_many(accounts: list[SocialAccount]) -> dict[int, list[Rule]]:
    """:func:`rules_for` of several accounts in two queries (a whole group's calendar)."""
    seed_default_planning()
    own: dict[int, list[FrequencyRule]] = {a.pk: [] for a in accounts}
    for rule in FrequencyRule.objects.filter(account_id__in=own):
        own[rule.account_id].append(rule)
    defaults = list(FrequencyRule.objects.filter(account__isnull=True))
    return {a.pk: _resolve(a, own[a.pk], defaults) for a in accounts}


# -- the platforms' quotas ------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    period: str
    limit: int
    label: str


def mass_send_quota(account: SocialAccount) -> Quota | None:
    """WeChat mass sends (群发): a subscription account 1 a day, a service account 4 a month."""
    if account.platform == Platform.WECHAT_SUBSCRIPTION:
        return Quota(FrequencyPeriod.DAY, 1, "订阅号每天群发1次")
    if account.platform == Platform.WECHAT_SERVICE:
        return Quota(FrequencyPeriod.MONTH, 4, "服务号每月群发4次")
    return None
