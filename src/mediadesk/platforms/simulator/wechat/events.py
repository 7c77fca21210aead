"""The XML WeChat pushes: job-finished events and messages driven from the control API.

Shapes follow the official samples (platform-apis.md §1.6–1.7, SKIT EventSamples).
"""

from __future__ import annotations

from typing import Any

from .account import Account, MassJob, PublishJob


def cdata(value: Any) -> str:
    text = str(value).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{text}]]>"


def _head(account: Account, now: float, event: str) -> str:
    return (
        f"<ToUserName>{cdata(account.original_id)}</ToUserName>\n"
        f"<FromUserName>{cdata(account.mass_assistant_openid)}</FromUserName>\n"
        f"<CreateTime>{int(now)}</CreateTime>\n"
        f"<MsgType>{cdata('event')}</MsgType>\n"
        f"<Event>{cdata(event)}</Event>\n"
    )


def publish_finished(account: Account, job: PublishJob, event: str, urls: list[str]) -> str:
    parts = [
        f"<publish_id>{job.publish_id}</publish_id>",
        f"<publish_status>{job.status}</publish_status>",
    ]
    if job.article_id:
        parts.append(f"<article_id>{cdata(job.article_id)}</article_id>")
        items = "".join(
            f"<item><idx>{i}</idx><article_url>{cdata(url)}</article_url></item>"
            for i, url in enumerate(urls, start=1)
        )
        parts.append(f"<article_detail><count>{len(urls)}</count>{items}</article_detail>")
    parts.extend(f"<fail_idx>{i}</fail_idx>" for i in job.fail_idx)
    info = "".join(parts)
    finished = job.finished_at or job.due_at
    head = _head(account, finished, event)
    return f"<xml>\n{head}<PublishEventInfo>{info}</PublishEventInfo>\n</xml>"


def mass_finished(account: Account, job: MassJob, counts: dict[str, int], urls: list[str]) -> str:
    status = "send success" if job.status == "SEND_SUCCESS" else "send fail"
    results = "".join(
        f"<item><ArticleIdx>{i}</ArticleIdx><ArticleUrl>{cdata(url)}</ArticleUrl></item>"
        for i, url in enumerate(urls, start=1)
    )
    finished = job.finished_at or job.due_at
    return (
        f"<xml>\n{_head(account, finished, 'MASSSENDJOBFINISH')}"
        f"<MsgID>{job.msg_id}</MsgID>\n"
        f"<Status>{cdata(status)}</Status>\n"
        f"<TotalCount>{counts['total']}</TotalCount>\n"
        f"<FilterCount>{counts['filter']}</FilterCount>\n"
        f"<SentCount>{counts['sent']}</SentCount>\n"
        f"<ErrorCount>{counts['error']}</ErrorCount>\n"
        "<CopyrightCheckResult><Count>0</Count><ResultList></ResultList>"
        "<CheckState>1</CheckState></CopyrightCheckResult>\n"
        f"<ArticleUrlResult><Count>{len(urls)}</Count><ResultList>{results}</ResultList>"
        "</ArticleUrlResult>\n</xml>"
    )


def render_message(fields: dict[str, Any]) -> str:
    """A flat dict as a WeChat message (numbers bare, text in CDATA)."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, bool):
            value = int(value)
        shown = str(value) if isinstance(value, int | float) else cdata(value)
        lines.append(f"<{key}>{shown}</{key}>")
    return "<xml>\n" + "\n".join(lines) + "\n</xml>"
