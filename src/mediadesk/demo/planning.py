"""Demo publish planning for 示例集团: rows of the publish plan (模板1), 示例科技微博's own best
times, frequency rules on accounts, one ended pause in the history, a coming blackout, and
secondary propagation with one repost recorded and one overdue.

Everything goes through the publishing services as the demo people (张编辑 plans and reposts,
李企宣 decides pauses, rules and propagation), so the audit log is the real thing. One thing
is not: to show an overdue repost without waiting a working day, the second propagation source
and its tasks are dated three days back after the service created them. Idempotent: once the
first plan row exists nothing is added again. The posts the calendar shows are another step's.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from mediadesk.accounts.models import SocialAccount
from mediadesk.core.context import acting
from mediadesk.orgs.models import OrgUnit, UnitKind, User
from mediadesk.publishing import planning_frequency, planning_pauses, planning_slots, propagation
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import PlanEntry, PropagationSource
from mediadesk.publishing.plan_entries import create_plan_entry

FIRST_TOPIC = "云帆 X1 新品上市：3大功能升级"


@transaction.atomic
def seed_planning() -> None:
    tech = OrgUnit.objects.filter(name="示例科技", kind=UnitKind.BUSINESS_UNIT).first()
    estate = OrgUnit.objects.filter(name="示例地产", kind=UnitKind.BUSINESS_UNIT).first()
    if tech is None or estate is None or PlanEntry.objects.filter(topic=FIRST_TOPIC).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["editor", "review2", "hq"])}
    if len(people) < 3:
        return
    accounts = {
        (a.owning_unit_id, a.platform, a.name): a
        for a in SocialAccount.objects.filter(owning_unit__in=[tech, estate])
    }
    wechat = accounts.get((tech.pk, "wechat_service", "示例科技"))
    weibo = accounts.get((tech.pk, "weibo", "示例科技"))
    helper = accounts.get((tech.pk, "wechat_subscription", "科技小助手"))
    if not (wechat and weibo and helper):
        return
    with acting(source="demo"):
        _seed(tech, estate, people, wechat, weibo, helper)


def _seed(tech, estate, people, wechat, weibo, helper) -> None:
    editor, manager, hq = people["editor"], people["review2"], people["hq"]
    today = rules.local_today()
    group = tech.parent

    # -- the plan (模板1): the seed's own example rows, around this week ----------------------
    rows = [
        (0, "19:00", wechat, None, FIRST_TOPIC, "图文+视频", "曝光30万+，互动1万+", "附产品手册"),
        (
            1,
            None,
            None,
            "douyin",
            "新品开箱：30秒看懂核心卖点",
            "短视频（58秒）",
            "播放量50万+，转化2000+",
            "",
        ),
        (
            2,
            "20:30",
            weibo,
            None,
            "#新品体验官#互动赢大奖",
            "图文+抽奖",
            "互动5000+",
            "抽奖规则须法务确认",
        ),
        (4, "08:30", helper, None, "以旧换新服务指南", "图文", "曝光2万+", ""),
        (-5, "19:30", wechat, None, "春季新品预告", "图文", "曝光10万+", "已按计划完成"),
    ]
    for offset, time, account, platform, topic, fmt, targets, notes in rows:
        create_plan_entry(
            actor=editor,
            planned_on=today + dt.timedelta(days=offset),
            planned_time=dt.time.fromisoformat(time) if time else None,
            account=account,
            unit=None if account else tech,
            platform=platform or "",
            topic=topic,
            format=fmt,
            targets=targets,
            owner=editor,
            reviewer=manager,
            notes=notes,
        )

    # -- best times: 示例科技微博 keeps its own (lunch and evening, Wed/Thu preferred) --------
    planning_slots.set_account_slots(
        actor=editor,
        account=weibo,
        slots=[
            {"weekdays": [1, 2, 3, 4, 5], "starts": "12:00", "ends": "13:00", "label": "午休"},
            {"weekdays": [1, 2, 5], "starts": "19:00", "ends": "22:00", "label": "工作日晚间"},
            {
                "weekdays": [3, 4],
                "starts": "19:00",
                "ends": "22:00",
                "weight": 2,
                "label": "周三、周四晚间",
            },
            {"weekdays": [6, 7], "starts": "10:00", "ends": "12:00", "label": "周末上午"},
        ],
    )

    # -- frequency: the launch month asks more of the service account; the helper posts less --
    planning_frequency.create_frequency_rule(
        actor=hq, account=wechat, period="week", minimum=4, note="新品上市期间每周至少4篇"
    )
    planning_frequency.create_frequency_rule(
        actor=hq, account=wechat, period="day", minimum=0, maximum=2, note="每天至多2篇"
    )
    planning_frequency.create_frequency_rule(
        actor=hq, account=helper, period="week", minimum=2, note="服务号助手每周2篇即可"
    )

    # -- stop everything: one pause in the history, one blackout ahead -----------------------
    pause = planning_pauses.pause_publishing(
        actor=hq, unit=estate, reason="示例地产项目舆情核查中，暂停示例地产全部账号发布"
    )
    planning_pauses.resume_publishing(
        actor=hq, pause=pause, reason="核查完毕，相关信息属实无误，恢复发布"
    )
    starts = rules.day_start(today + dt.timedelta(days=10))
    planning_pauses.create_blackout(
        actor=hq,
        unit=group,
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=1),
        reason="集团年度系统升级维护日，全集团暂停发布",
    )

    # -- secondary propagation: one repost recorded, one overdue ------------------------------
    done = propagation.record_coverage(
        actor=hq,
        title="人民日报：示例科技云帆 X1 引领国产影像创新",
        medium="人民日报",
        url="https://www.example.com/news/yunfan-x1",
    )
    for task in done.tasks:
        if task.account_id == weibo.pk:
            propagation.complete_repost(
                actor=editor, task=task, url="https://weibo.com/5800000002/demo-repost"
            )
    late = propagation.record_coverage(
        actor=hq,
        title="新华社：示例集团发布年度社会责任报告",
        medium="新华社",
        url="https://www.example.com/news/csr-report",
    )
    # Dated back (see the module's docstring) so its open tasks show as overdue today.
    back = dt.timedelta(days=3)
    source = PropagationSource.objects.get(pk=late.source.pk)
    PropagationSource.objects.filter(pk=source.pk).update(
        created_at=source.created_at - back, due_at=source.due_at - back
    )
    for task in late.tasks:
        type(task).objects.filter(pk=task.pk).update(due_at=task.due_at - back)
        if task.account_id == wechat.pk:
            propagation.complete_repost(actor=editor, task=task, post_id="2247483700_1")
    propagation.flag_overdue()
