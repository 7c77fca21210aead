"""Assisted publishing for platforms without a general publishing API.

Xiaohongshu, WeChat Channels and Zhihu offer no server-side publishing to ordinary accounts
(platform-apis.md §5; design notes: never drive a logged-in browser — accounts get banned).
So "create" prepares a *package* — text, media, cover, where to post — for a person to publish
in the app, and "confirm" records the link of the post they made, from which its figures are
tracked. Kuaishou and Bilibili do have publishing APIs; until their connectors exist they go
through this flow too. Nothing here calls a platform, so every operation is safe to repeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .base import Connector, Retry, operation
from .errors import InvalidContent
from .values import (
    AccountRef,
    AssistedPackage,
    CreatedPost,
    MediaFile,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
    Reconciliation,
    UploadedMedia,
)


@dataclass(frozen=True)
class AssistedRules:
    label: str
    hosts: tuple[str, ...]  # a confirmed link must be on one of these (or a subdomain)
    app: str  # where the person publishes
    title_max: int | None = None
    text_max: int | None = None
    needs_media: bool = False


RULES: dict[str, AssistedRules] = {
    # Xiaohongshu's app limits: title 20 characters, body 1000 (community-documented).
    "xiaohongshu": AssistedRules(
        "Xiaohongshu", ("xiaohongshu.com", "xhslink.com"), "the Xiaohongshu app", 20, 1000, True
    ),
    "wechat_channels": AssistedRules(
        "WeChat Channels",
        ("channels.weixin.qq.com", "weixin.qq.com"),
        "WeChat (视频号)",
        needs_media=True,
    ),
    "zhihu": AssistedRules("Zhihu", ("zhihu.com",), "Zhihu (app or web)"),
    "kuaishou": AssistedRules(
        "Kuaishou", ("kuaishou.com", "gifshow.com"), "the Kuaishou app", needs_media=True
    ),
    "bilibili": AssistedRules("Bilibili", ("bilibili.com", "b23.tv"), "Bilibili", needs_media=True),
}


def package_id(platform: str, post: PostRequest) -> str:
    """The same post gives the same package id, so preparing it twice changes nothing."""
    digest = hashlib.sha256()
    for part in (platform, post.target, post.title, post.text):
        digest.update(part.encode("utf-8") + b"\x00")
    for item in (post.cover, *post.media):
        if isinstance(item, MediaFile):
            digest.update(hashlib.sha256(item.data).digest())
        elif isinstance(item, UploadedMedia):
            digest.update((item.media_id or item.url).encode("utf-8"))
    return digest.hexdigest()[:16]


class AssistedConnector(Connector):
    assisted = True

    def __init__(self, ref: AccountRef) -> None:
        super().__init__(ref)
        self.rules = RULES.get(ref.platform) or AssistedRules(ref.platform, (), "the app")

    def _invalid(self, message: str, field: str) -> InvalidContent:
        return InvalidContent(message, field=field, platform=self.rules.label)

    def _check(self, post: PostRequest) -> None:
        rules = self.rules
        if not (post.text.strip() or post.title.strip()):
            raise self._invalid("The post is empty.", "text")
        if rules.title_max is not None and len(post.title) > rules.title_max:
            raise self._invalid(
                f"The title has {len(post.title)} characters; {rules.label} allows "
                f"{rules.title_max}.",
                "title",
            )
        if rules.text_max is not None and len(post.text) > rules.text_max:
            raise self._invalid(
                f"The text has {len(post.text)} characters; {rules.label} allows {rules.text_max}.",
                "text",
            )
        if rules.needs_media and not (post.media or post.cover):
            raise self._invalid(
                f"A {rules.label} post needs at least a picture or a video.", "media"
            )

    @operation(Retry.IDEMPOTENT)
    def create_post(self, post: PostRequest) -> CreatedPost:
        """The package for a person to post; nothing is sent anywhere."""
        self._check(post)
        target = post.target or self.ref.name or self.ref.account_id
        pid = package_id(self.platform, post)
        package = AssistedPackage(
            platform=self.platform,
            target=target,
            title=post.title,
            text=post.text,
            cover=post.cover,
            media=tuple(post.media),
            instructions=(
                f"Publish this post in {self.rules.app} as {target or 'the account'}, "
                "then paste the link of the published post here to confirm it."
            ),
            package_id=pid,
        )
        return CreatedPost(
            self.platform, PostState.AWAITING_PERSON, post.delivery, job_id=pid, package=package
        )

    @operation(Retry.IDEMPOTENT)
    def confirm(self, created: CreatedPost, url: str) -> PublishResult:
        """The person published it: record the post's link (checked to be on the platform)."""
        url = url.strip()
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        ok_host = any(host == h or host.endswith("." + h) for h in self.rules.hosts)
        if parts.scheme not in ("http", "https") or not ok_host:
            where = " or ".join(self.rules.hosts) or "the platform"
            raise self._invalid(
                f"That is not a link to a {self.rules.label} post (expected {where}).", "url"
            )
        post_id = parts.path.rstrip("/").rsplit("/", 1)[-1] or url
        return PublishResult(PublishState.PUBLISHED, post_id=post_id, urls=(url,))

    @operation(Retry.SAFE)
    def publish_result(self, created: CreatedPost) -> PublishResult:
        if created.url:
            return PublishResult(PublishState.PUBLISHED, created.post_id, (created.url,))
        return PublishResult(PublishState.PENDING, reason="Waiting for a person to publish it.")

    @operation(Retry.SAFE)
    def reconcile(
        self,
        post: PostRequest,
        partial: CreatedPost | None = None,
        *,
        attempted_at: datetime | None = None,
    ) -> Reconciliation:
        return Reconciliation(
            ReconcileOutcome.NOT_FOUND,
            partial,
            note="Assisted publishing sends nothing; preparing the package again is safe.",
        )
