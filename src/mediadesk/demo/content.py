"""Demo content planning and review for 示例科技: goals, the topic matrix, a media library with
licences in every state, and content items in every state of the review.

Everything goes through the content services as the demo people (张编辑 drafts; 赵策划, 钱经理 and
孙法务 review), so the audit log, the timelines and the review flow table (模板2) are the real
thing. Idempotent: once the first goal exists nothing is added again.

The items: a draft whose variants still break their platforms' rules and use an expired and a
non-consented picture; one waiting at each of the three levels (the third with a quoted claim
the author asked legal to decide on); one with changes requested; one rejected; three approved
with WeChat and Weibo variants (one of them first refused for 全网最低价, fixed in its second
revision; one approved after a round of changes; one whose review was superseded by an edit and
that went through again); and backup content prepared for a crisis.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.models import SocialAccount
from mediadesk.content import library, planning, services
from mediadesk.content.models import Asset, ContentItem, Goal, WorkflowState
from mediadesk.core.context import acting
from mediadesk.core.errors import ValidationFailed
from mediadesk.orgs.models import OrgUnit, UnitKind, User

UNIT = "示例科技"
FIRST_GOAL = "云帆 X1 上市首周曝光 50 万"


# -- pictures, drawn here (no third-party artwork) ---------------------------------------------


def _picture(kind: str, size: tuple[int, int], fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw

    width, height = size
    palettes = {
        "hero": ((18, 52, 120), (64, 140, 230)),
        "detail": ((40, 40, 48), (120, 120, 140)),
        "store": ((210, 120, 40), (250, 200, 120)),
        "conference": ((30, 90, 80), (110, 190, 170)),
        "people": ((150, 60, 90), (240, 160, 170)),
        "poster": ((200, 30, 50), (255, 150, 60)),
        "recall": ((70, 80, 95), (180, 190, 200)),
    }
    top, bottom = palettes[kind]
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    if kind in ("hero", "detail"):  # a phone-like device
        w, h = int(height * 0.42), int(height * 0.78)
        x, y = min(int(width * 0.62), width - w - 24), int(height * 0.11)
        draw.rounded_rectangle((x, y, x + w, y + h), radius=18, fill=(245, 247, 250))
        draw.rounded_rectangle((x + 8, y + 14, x + w - 8, y + h - 14), radius=10, fill=(30, 30, 36))
        draw.ellipse((x + w // 2 - 4, y + 4, x + w // 2 + 4, y + 12), fill=(90, 90, 100))
        draw.text((int(width * 0.08), int(height * 0.38)), "X1", fill="white", font_size=72)
    elif kind in ("store", "conference"):  # a hall with windows
        for i in range(6):
            x = int(width * (0.08 + i * 0.15))
            draw.rectangle(
                (x, int(height * 0.3), x + int(width * 0.1), int(height * 0.7)),
                fill=(255, 255, 255, 180),
            )
        draw.rectangle((0, int(height * 0.78), width, height), fill=(60, 60, 70))
    elif kind == "people":  # two people
        for cx in (0.38, 0.62):
            x = int(width * cx)
            draw.ellipse(
                (x - 40, int(height * 0.25), x + 40, int(height * 0.25) + 80), fill=(250, 220, 200)
            )
            draw.rounded_rectangle(
                (x - 70, int(height * 0.5), x + 70, height), radius=40, fill=(40, 60, 120)
            )
    elif kind == "poster":
        draw.ellipse((int(width * 0.55), -80, width + 120, int(height * 0.8)), fill=(255, 220, 90))
        draw.text((int(width * 0.08), int(height * 0.35)), "11.11", fill="white", font_size=96)
    else:
        draw.rectangle(
            (int(width * 0.1), int(height * 0.2), int(width * 0.9), int(height * 0.8)),
            outline="white",
            width=6,
        )
    out = io.BytesIO()
    img.save(out, format=fmt, quality=88) if fmt == "JPEG" else img.save(out, format=fmt)
    return out.getvalue()


def _assets(editor: User, unit: OrgUnit, today: dt.date) -> dict[str, Asset]:
    specs = [
        (
            "hero",
            "云帆 X1 主视觉",
            (900, 383),
            "JPEG",
            {"source": "品牌部设计组原创", "licence": "own"},
        ),
        (
            "detail",
            "云帆 X1 产品细节图",
            (800, 800),
            "JPEG",
            {"source": "产品运营部拍摄", "licence": "own"},
        ),
        (
            "store",
            "上海体验店实拍",
            (1080, 720),
            "JPEG",
            {
                "source": "视觉中国",
                "licence": "purchased",
                "licence_note": "编辑类授权，单次使用",
                "licensed_until": today + dt.timedelta(days=12),
            },
        ),
        (
            "conference",
            "行业大会现场图",
            (1080, 720),
            "JPEG",
            {
                "source": "图虫创意",
                "licence": "purchased",
                "licence_note": "年度授权，未续费",
                "licensed_until": today - dt.timedelta(days=6),
            },
        ),
        (
            "people",
            "会员日用户合影",
            (1080, 720),
            "JPEG",
            {"source": "活动现场拍摄", "licence": "own", "people_pictured": ["李女士", "王先生"]},
        ),
        (
            "poster",
            "双十一会员日海报",
            (900, 383),
            "PNG",
            {"source": "品牌部设计组原创", "licence": "own"},
        ),
        (
            "recall",
            "致歉声明底图",
            (900, 383),
            "PNG",
            {"source": "品牌部设计组原创", "licence": "own"},
        ),
    ]
    assets = {}
    for key, title, size, fmt, meta in specs:
        assets[key] = library.upload_asset(
            actor=editor,
            owning_unit=unit,
            data=_picture(key, size, fmt),
            filename=f"{key}.{fmt.lower().replace('jpeg', 'jpg')}",
            title=title,
            **meta,
        )
    return assets


# -- the review, step by step --------------------------------------------------------------------


def _latest(item: ContentItem) -> WorkflowState:
    return item.reviews.select_related("stage", "revision").order_by("-pk").first()


def _decide(
    item: ContentItem,
    who: User,
    action: str = "approve",
    opinion: str = "",
    override_reason: str = "",
) -> WorkflowState:
    state = _latest(item)
    return services.decide(
        actor=who,
        state=state,
        action=action,
        revision=state.revision.number,
        version=state.version,
        opinion=opinion,
        checklist=dict.fromkeys(state.stage.checklist, True),
        override_reason=override_reason,
    )


def _wechat(
    account: SocialAccount, title: str, digest: str, body: str, cover: Asset, **extra: Any
) -> dict[str, Any]:
    return {
        "account": account,
        "title": title,
        "digest": digest,
        "body": body,
        "cover": cover.pk,
        "original_url": extra.pop("original_url", ""),
        "extra": extra,
    }


def _weibo(account: SocialAccount, text: str, picture: Asset | None = None) -> dict[str, Any]:
    return {"account": account, "body": text, "cover": picture.pk if picture else None}


@transaction.atomic
def seed_content() -> None:
    unit = OrgUnit.objects.filter(name=UNIT, kind=UnitKind.BUSINESS_UNIT).first()
    if unit is None or Goal.objects.filter(owning_unit=unit, name=FIRST_GOAL).exists():
        return
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["editor", "review1", "review2", "legal", "hq"])
    }
    if len(people) < 5:
        return
    editor, l1, l2, legal, hq = (people[n] for n in ("editor", "review1", "review2", "legal", "hq"))
    accounts = {(a.name, a.platform): a for a in SocialAccount.objects.filter(owning_unit=unit)}
    wechat = accounts.get((UNIT, "wechat_service"))
    weibo = accounts.get((UNIT, "weibo"))
    douyin = accounts.get((UNIT, "douyin"))
    helper = accounts.get(("科技小助手", "wechat_subscription"))
    if not (wechat and weibo and douyin and helper):
        return
    today = timezone.localdate()
    with acting(source="demo"):
        _seed(unit, editor, l1, l2, legal, hq, wechat, weibo, douyin, helper, today)


def _seed(unit, editor, l1, l2, legal, hq, wechat, weibo, douyin, helper, today) -> None:
    group = unit.parent
    # -- goals (CNT-1) and topics (CNT-2) ----------------------------------------------------
    launch = planning.create_goal(
        actor=editor,
        owning_unit=unit,
        name=FIRST_GOAL,
        metric="exposure",
        target=500_000,
        starts_on=today - dt.timedelta(days=3),
        deadline=today + dt.timedelta(days=11),
        platforms=["wechat_service", "weibo", "douyin"],
        notes="首周以公众号首发 + 微博话题 + 抖音短视频联动，曝光以平台后台数据为准。",
    )
    members = planning.create_goal(
        actor=editor,
        owning_unit=unit,
        name="双十一会员日互动 3 万次",
        metric="interaction",
        target=30_000,
        deadline=today + dt.timedelta(days=40),
        notes="评论、转发、点赞合计；含会员小程序内互动。",
    )
    followers = planning.create_goal(
        actor=editor,
        owning_unit=unit,
        name="服务号季度新增关注 1 万",
        metric="followers",
        target=10_000,
        deadline=today + dt.timedelta(days=75),
        platforms=["wechat_service"],
    )
    brand = planning.create_goal(
        actor=hq,
        owning_unit=group,
        name="集团年度品牌曝光 1000 万",
        metric="exposure",
        target=10_000_000,
        deadline=dt.date(today.year, 12, 31),
        notes="集团企宣部统筹，各业务单位内容均可计入。",
    )
    topics = {}
    for category, name, audience in [
        ("product", "云帆 X1 新品发布", "关注数码新品的 25–40 岁用户，看重性能与价格"),
        ("product", "智能家居体验", "有装修或换新计划的家庭用户"),
        ("brand", "品牌故事", "老用户与行业伙伴，关心企业价值观与长期投入"),
        ("brand", "企业社会责任", "媒体、公众与投资者"),
        ("activity", "双十一会员日", "会员与潜在会员，对优惠敏感"),
        ("activity", "体验店开放日", "门店周边三公里的家庭用户"),
        ("service", "售后服务指南", "已购用户，遇到问题时找答案"),
        ("service", "以旧换新", "持有旧款设备、考虑升级的用户"),
        ("industry", "行业白皮书解读", "行业从业者、渠道伙伴与媒体"),
    ]:
        topics[name] = planning.create_topic(
            actor=editor, owning_unit=unit, name=name, category=category, audience=audience
        )
    assets = _assets(editor, unit, today)
    hero, detail, store, conference, people, poster, recall = (
        assets[k] for k in ("hero", "detail", "store", "conference", "people", "poster", "recall")
    )

    def create(
        title: str, variants: list[dict[str, Any]], goal: Goal, topic: str | None, **fields: Any
    ) -> ContentItem:
        return services.create_item(
            actor=editor,
            owning_unit=unit,
            title=title,
            variants=variants,
            goal=goal,
            topic=topics[topic] if topic else None,
            **fields,
        )

    def submit(item: ContentItem, override_request: str = "") -> WorkflowState:
        return services.submit_for_review(
            actor=editor, item=item, override_request=override_request
        )

    # -- approved, after the Advertising Law term was fixed in revision 2 --------------------
    launch_body = (
        "<h2>云帆 X1，今天正式发布</h2>"
        "<p>历时两年研发，云帆 X1 搭载自研影像芯片，夜景拍摄更清晰，续航提升 30%。</p>"
        f'<p><img src="asset:{hero.pk}" alt="云帆 X1 主视觉"></p>'
        "<h3>首发福利</h3>"
        "<ul><li>首发价 3999 元，{price}</li><li>前 1000 名下单赠原装快充套装</li>"
        "<li>支持以旧换新，旧机可抵扣 800 元</li></ul>"
        f'<p><img src="asset:{detail.pk}" alt="产品细节"></p>'
        "<p>即日起可在示例科技官方商城与各地体验店购买。</p>"
    )
    item = create(
        "云帆 X1 正式发布",
        [
            _wechat(
                wechat,
                "云帆 X1 正式发布：影像旗舰，今日开售",
                "自研影像芯片，续航提升 30%，首发福利限时领取。",
                launch_body.format(price="全网最低价"),
                hero,
                author="示例科技品牌部",
                open_comments=True,
                original_url="https://www.example.com/x1",
            ),
            _weibo(
                weibo,
                "云帆 X1 今天正式发布！自研影像芯片，夜景更清晰，续航提升 30%。"
                "首发价 3999 元，全网最低价，详情 https://www.example.com/x1",
                hero,
            ),
        ],
        launch,
        "云帆 X1 新品发布",
        format="article",
        target_exposure=300_000,
        target_interaction=8_000,
        target_conversion=1_200,
        notes="发布会当天 10:00 公众号首发，微博同步。",
    )
    try:
        submit(item)
    except ValidationFailed:
        pass  # refused: 全网最低价 is an Advertising Law absolute; the author fixes it below
    variants = [services.variant_input(v) for v in item.variants.select_related("account")]
    for v in variants:
        v["body"] = v["body"].replace("全网最低价", "限时特惠")
    services.update_item(
        actor=editor, item=item, base_revision=item.revision_number, variants=variants
    )
    submit(item)
    _decide(item, l1, opinion="选题与目标一致，图片清晰。")
    _decide(item, l2, "approve_with_comment", "价格表述已改为“限时特惠”，注意活动结束后及时下线。")
    _decide(item, legal, opinion="无广告法与舆情风险，同意发布。")

    # -- approved after a round of changes ----------------------------------------------------
    story = create(
        "示例科技品牌故事：十年匠心",
        [
            _wechat(
                wechat,
                "十年匠心：一家科技公司的长期主义",
                "从一间小实验室到服务百万家庭。",
                "<p>2016 年，示例科技在一间不足 50 平方米的实验室里起步。</p>"
                "<p>十年间，我们坚持每年将营收的 15% 投入研发，"
                "隐私保护做到了行业领先。</p>"
                f'<p><img src="asset:{detail.pk}" alt=""></p>'
                "<p>感谢每一位用户的信任，下一个十年，我们继续。</p>",
                hero,
                author="示例科技品牌部",
            ),
            _weibo(
                weibo,
                "#示例科技十年# 从一间小实验室到服务百万家庭，感谢每一位用户的信任。"
                "@示例集团 一路同行。",
                detail,
            ),
        ],
        brand,
        "品牌故事",
        target_exposure=120_000,
        target_interaction=3_000,
    )
    submit(story)
    services.decide(  # L1 asks for a fix; the round closes with changes requested
        actor=l1,
        state=_latest(story),
        action="request_changes",
        revision=_latest(story).revision.number,
        version=_latest(story).version,
        opinion="“行业领先”需要可证实的依据，建议改为具体的认证名称与时间。",
    )
    variants = [services.variant_input(v) for v in story.variants.select_related("account")]
    for v in variants:
        v["body"] = v["body"].replace(
            "隐私保护做到了行业领先", "2023 年通过了 ISO/IEC 27701 隐私信息管理体系认证"
        )
    services.update_item(
        actor=editor, item=story, base_revision=story.revision_number, variants=variants
    )
    submit(story)
    _decide(story, l1, opinion="已按意见修改，依据明确。")
    _decide(story, l2, opinion="品牌调性一致。")
    _decide(story, legal, opinion="同意。")

    # -- superseded by an edit during review, then reviewed again and approved ----------------
    openday = create(
        "上海体验店开放日邀请",
        [
            _wechat(
                wechat,
                "周末来体验店，玩转智能家居",
                "上海体验店开放日，现场体验全屋智能。",
                "<p>本周六 10:00–18:00，上海体验店开放日等你来。</p>"
                "<ul><li>全屋智能场景体验</li><li>现场预约享安装服务</li></ul>"
                f'<p><img src="asset:{hero.pk}" alt=""></p>',
                hero,
            ),
            _weibo(
                weibo,
                "本周六上海体验店开放日，全屋智能现场体验，欢迎预约："
                "https://www.example.com/openday",
                hero,
            ),
        ],
        members,
        "体验店开放日",
        format="image_text",
        target_exposure=40_000,
    )
    submit(openday)
    _decide(openday, l1, opinion="同意。")
    variants = [services.variant_input(v) for v in openday.variants.select_related("account")]
    for v in variants:  # the date moved: an edit during review starts it again at level one
        v["body"] = v["body"].replace("本周六", "下周六")
    services.update_item(
        actor=editor, item=openday, base_revision=openday.revision_number, variants=variants
    )
    _decide(openday, l1, opinion="时间已更新，同意。")
    _decide(openday, l2, opinion="同意。")
    _decide(openday, legal, opinion="同意。")

    # -- backup content prepared for a crisis, approved: ready to schedule ----------------------
    apology = create(
        "致用户的一封信（备用）",
        [
            _wechat(
                wechat,
                "致用户的一封信",
                "关于近期部分产品问题的说明与处理方案。",
                "<p>近期，我们收到部分用户关于产品问题的反馈。对此给您带来的不便，我们深表歉意。</p>"
                "<h3>我们正在做的</h3><ul><li>成立专项小组，逐一联系受影响用户</li>"
                "<li>提供免费检测与换新服务</li></ul>"
                "<p>如有疑问，请通过服务号菜单“服务中心”联系我们。</p>",
                recall,
            ),
            _weibo(
                weibo,
                "关于近期部分产品问题的说明：我们已成立专项小组，为受影响用户提供免费检测"
                "与换新服务，详情见官方服务号。",
                recall,
            ),
        ],
        brand,
        "企业社会责任",
        backup_for="产品质量舆情应对",
        notes="舆情升级时由企宣部决定发布时机。",
    )
    submit(apology)
    _decide(apology, l1, opinion="同意备用。")
    _decide(apology, l2, opinion="同意。")
    _decide(apology, legal, opinion="措辞稳妥，可作为备用稿。")
    create(
        "App 服务中断说明（备用）",
        [
            _weibo(
                weibo,
                "部分用户反馈示例科技 App 暂时无法登录，技术团队正在紧急处理，恢复后第一时间通知。",
            )
        ],
        brand,
        None,
        format="text",
        backup_for="App 服务中断",
    )

    # -- rejected at level two -----------------------------------------------------------------
    versus = create(
        "云帆 X1 对比评测",
        [
            _weibo(
                weibo,
                "云帆 X1 与某品牌旗舰实测对比：夜景、续航、充电速度全面领先，快来看看差距有多大！",
                detail,
            )
        ],
        launch,
        "云帆 X1 新品发布",
        format="text",
        target_exposure=60_000,
    )
    submit(versus)
    _decide(versus, l1, opinion="数据来自内部实验室。")
    services.decide(
        actor=l2,
        state=_latest(versus),
        action="reject",
        revision=_latest(versus).revision.number,
        version=_latest(versus).version,
        opinion="直接贬低竞品，存在不正当竞争与舆情风险，不予发布。",
    )

    # -- changes requested at level one --------------------------------------------------------
    eleven = create(
        "双十一会员日预热",
        [
            _wechat(
                wechat,
                "双十一会员日：专享价与积分翻倍",
                "会员专享价、积分翻倍、抽奖送新品。",
                "<p>11 月 1 日至 11 日，示例科技会员日开启。</p>"
                "<ul><li>会员专享价</li><li>积分翻倍</li><li>每天抽 10 位会员送云帆 X1</li></ul>"
                f'<p><img src="asset:{poster.pk}" alt=""></p>',
                poster,
            ),
            _weibo(
                weibo,
                "#双十一会员日# 11 月 1 日至 11 日，会员专享价、积分翻倍，每天抽 10 位送云帆 X1！",
                poster,
            ),
        ],
        members,
        "双十一会员日",
        format="image_text",
        target_interaction=12_000,
    )
    submit(eleven)
    services.decide(
        actor=l1,
        state=_latest(eleven),
        action="request_changes",
        revision=_latest(eleven).revision.number,
        version=_latest(eleven).version,
        opinion="抽奖活动须补充活动规则与开奖方式的链接；“积分翻倍”请注明适用范围。",
    )

    # -- waiting at level three: a quoted ranking the author asked legal to decide on -------------
    paper = create(
        "解读《2026 智能终端行业白皮书》",
        [
            _wechat(
                wechat,
                "读懂 2026 智能终端行业白皮书",
                "五个趋势，和我们的判断。",
                "<p>近日发布的《2026 智能终端行业白皮书》提出了五个趋势。</p>"
                "<h3>趋势一：端侧 AI 普及</h3><p>报告显示，示例科技智能家居产品连续三年销量第一"
                "（来源：白皮书第 42 页）。</p>"
                f'<p><img src="asset:{detail.pk}" alt=""></p>',
                hero,
                original_url="https://www.example.com/whitepaper-2026",
            )
        ],
        followers,
        "行业白皮书解读",
        target_exposure=50_000,
    )
    submit(
        paper,
        override_request=(
            "“销量第一”为白皮书原文引用，已注明页码，报告编号 WP-2026-017，请法务确认可否保留。"
        ),
    )
    _decide(paper, l1, opinion="解读准确。")
    _decide(paper, l2, opinion="引用需法务确认。")

    # -- waiting at level two ---------------------------------------------------------------
    smart = create(
        "智能家居体验周",
        [
            _wechat(
                helper,
                "智能家居体验周：预约即送安装",
                "十城门店同步开放体验。",
                "<p>本月 20 日起，十城门店同步开放智能家居体验。</p>"
                "<p>行业领先的全屋互联方案，一部手机管理全家设备。</p>"
                f'<p><img src="asset:{hero.pk}" alt=""></p>',
                hero,
            ),
            _weibo(
                weibo,
                "智能家居体验周来了！十城门店同步开放，预约即送安装："
                "https://www.example.com/smart-week",
                hero,
            ),
        ],
        members,
        "智能家居体验",
        format="image_text",
        target_exposure=80_000,
    )
    submit(smart)
    _decide(smart, l1, opinion="“行业领先”请二审确认是否保留。")

    # -- waiting at level one -----------------------------------------------------------------
    unbox = create(
        "云帆 X1 开箱图集",
        [
            {
                "account": douyin,
                "body": "#云帆X1# 开箱来了！细节一次看清 @示例科技",
                "media": [detail.pk],
            },
            _weibo(weibo, "云帆 X1 开箱图集：细节一次看清，你最喜欢哪个配色？", detail),
        ],
        launch,
        "云帆 X1 新品发布",
        format="image_text",
        target_exposure=100_000,
        target_interaction=5_000,
    )
    submit(unbox)

    # -- a draft that does not fit yet ----------------------------------------------------------
    create(
        "以旧换新服务指南",
        [
            {
                "account": helper,
                "title": "以旧换新怎么换？一篇看懂",
                "digest": "",
                "body": "<p>旧设备估价、寄送、抵扣，三步完成。</p>"
                f'<p><img src="asset:{conference.pk}" alt=""></p>'
                f'<p><img src="asset:{people.pk}" alt=""></p>',
            },
            _weibo(weibo, "以旧换新三步完成：估价、寄送、抵扣，旧机可抵扣 800 元。", store),
        ],
        launch,
        "以旧换新",
        notes="封面待设计；行业大会图授权已过期，需换图；合影缺肖像授权。",
    )
