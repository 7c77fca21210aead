"""The in-memory state of one Official Account, as WeChat would hold it.

Plain records and no logic beyond derived identifiers: the endpoint modules own the rules.
All access happens under the platform's lock.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..config import WeChatApp
from ..ids import seeded, stable_token


@dataclass
class TokenRecord:
    value: str
    appid: str
    kind: str  # "token" (/cgi-bin/token) or "stable" (/cgi-bin/stable_token)
    issued_at: float
    expires_at: float
    revoked: bool = False  # replaced by a newer token and past its grace period


@dataclass
class Material:
    media_id: str
    kind: str  # image, voice, video, thumb
    permanent: bool
    filename: str
    content_type: str
    data: bytes
    created_at: float
    url: str | None = None
    title: str = ""
    introduction: str = ""


@dataclass
class Draft:
    media_id: str
    articles: list[dict[str, Any]]
    create_time: int
    update_time: int


@dataclass
class PublishJob:
    publish_id: str
    msg_data_id: str
    draft_media_id: str
    articles: list[dict[str, Any]]
    submitted_at: float
    due_at: float
    status: int = 1  # 1 publishing; 0 success; 2/3/4 failed; 5/6 removed after success
    fail_idx: list[int] = field(default_factory=list)
    outcome: tuple[int, list[int]] = (0, [])
    article_id: str | None = None
    finished_at: float | None = None


@dataclass
class Publication:
    """A published (发布) or mass-sent (群发) article group, with per-index URLs."""

    article_id: str
    msg_data_id: str
    channel: str  # "publish" or "mass"
    items: list[dict[str, Any]]
    create_time: int
    update_time: int
    publish_id: str | None = None
    msg_id: int | None = None


@dataclass
class MassJob:
    msg_id: int
    msg_data_id: int
    msgtype: str
    payload: dict[str, Any]
    created_at: float
    due_at: float
    clientmsgid: str | None
    target: dict[str, Any]
    total_count: int
    articles: list[dict[str, Any]] = field(default_factory=list)
    status: str = "SENDING"  # SENDING, SEND_SUCCESS, SEND_FAIL, DELETE
    article_id: str | None = None
    finished_at: float | None = None


@dataclass
class Comment:
    user_comment_id: int
    openid: str
    create_time: int
    content: str
    elected: bool = False
    reply: dict[str, Any] | None = None
    deleted: bool = False


@dataclass
class CommentThread:
    open: bool
    comments: list[Comment] = field(default_factory=list)


class Account:
    def __init__(self, app: WeChatApp) -> None:
        self.app = app
        self.reset()

    def reset(self) -> None:
        self.current_token: str | None = None
        self.previous_token: str | None = None
        self.current_stable: str | None = None
        self.force_refreshes: list[float] = []
        self.quota_used: dict[tuple[str, str], int] = {}
        self.quota_limits: dict[str, int] = {}
        self.clear_quota_uses: dict[str, int] = {}
        self.materials: dict[str, Material] = {}
        self.uploadimg_urls: set[str] = set()
        self.drafts: dict[str, Draft] = {}
        self.publish_jobs: dict[str, PublishJob] = {}
        self.publications: dict[str, Publication] = {}
        self.by_msg_data_id: dict[str, Publication] = {}
        self.mass_jobs: dict[int, MassJob] = {}
        self.clientmsgids: dict[str, tuple[int, float]] = {}
        self.mass_sends: list[float] = []
        self.publish_outcomes: list[tuple[int, list[int]]] = []
        self.menu: dict[str, Any] | None = None
        self.conditional_menus: list[dict[str, Any]] = []
        self.comments: dict[tuple[str, int], CommentThread] = {}
        self.next_comment_id = 1
        self.tags: dict[int, str] = {2: "星标组"}
        self.user_tags: dict[str, list[int]] = {}
        self.remarks: dict[str, str] = {}
        self._followers: list[str] | None = None
        self._follower_index: dict[str, int] | None = None

    # -- derived identity -----------------------------------------------------------------
    @property
    def appid(self) -> str:
        return self.app.appid

    @property
    def verified(self) -> bool:
        return self.app.verified

    @property
    def original_id(self) -> str:
        if self.app.original_id:
            return self.app.original_id
        return "gh_" + hashlib.sha256(self.appid.encode()).hexdigest()[:12]

    @property
    def name(self) -> str:
        return self.app.name or f"公众号 {self.appid[-4:]}"

    @property
    def biz(self) -> str:
        """The ``__biz`` parameter of the account's article URLs."""
        number = int(hashlib.sha256(self.appid.encode()).hexdigest()[:9], 16)
        return base64.b64encode(str(number).encode()).decode()

    @property
    def mass_assistant_openid(self) -> str:
        """The 群发助手 openid that signs job-finished events."""
        return "o" + stable_token(27, self.appid, "mass-assistant")

    # -- followers (generated lazily, deterministic per appid) --------------------------------
    @property
    def follower_count(self) -> int:
        if self.app.followers is not None:
            return max(0, int(self.app.followers))
        return seeded(self.appid, "followers").randint(1200, 9800)

    @property
    def followers(self) -> list[str]:
        if self._followers is None:
            self._followers = [
                "o" + stable_token(27, self.appid, "openid", i) for i in range(self.follower_count)
            ]
            self._follower_index = {openid: i for i, openid in enumerate(self._followers)}
        return self._followers

    def follower_index(self, openid: str) -> int | None:
        _ = self.followers
        assert self._follower_index is not None
        return self._follower_index.get(openid)
