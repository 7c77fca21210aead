"""Demo platform connections: the accounts the embedded simulator serves point at it.

Bindings use the base URL ``simulator:`` (resolved at run time to wherever ``mediadesk run``
started the simulator — its port is picked at start), and the app secrets the simulator's demo
apps expect go into the credentials vault, with a callback token and AES key for the WeChat
accounts so the simulator's pushes reach the callback endpoint in safe mode. Idempotent: an
account that already has a binding, or a credential already stored, is left as it is.
"""

from __future__ import annotations

from django.db import transaction

from mediadesk.accounts import credentials
from mediadesk.accounts.models import Credential, SocialAccount
from mediadesk.core.context import acting
from mediadesk.orgs.models import User
from mediadesk.platforms.bindings import configure_binding
from mediadesk.platforms.models import SIMULATOR_MARKER, PlatformBinding

# Demo values, known to anyone reading this file: never use them for a real account.
DEMO_CALLBACK_TOKEN = "mediadesk-demo-callback-token"
DEMO_AES_KEY = "bWVkaWFkZXNrLWRlbW8tYWVzLWtleS1zaW11bGF0b3I"  # EncodingAESKey: 43 characters

WEIBO_ACCOUNT = ("示例科技", "weibo")
DOUYIN_ACCOUNT = ("示例科技", "douyin")


def _store(admin: User, account: SocialAccount, kind: str, value: str) -> None:
    if not Credential.objects.filter(account=account, kind=kind, label="").exists():
        credentials.store_credential(actor=admin, account=account, kind=kind, value=value)


def _bind(admin: User, account: SocialAccount, app_id: str, options: dict | None = None) -> bool:
    if PlatformBinding.objects.filter(account=account).exists():
        return False
    configure_binding(
        actor=admin, account=account, app_id=app_id, base_url=SIMULATOR_MARKER, options=options
    )
    return True


@transaction.atomic
def seed_platforms() -> None:
    try:
        from mediadesk.platforms.simulator.embedded import (
            DEMO_DOUYIN_APPS,
            DEMO_WECHAT_APPS,
            DEMO_WEIBO_APPS,
        )
    except ImportError:  # a build without the simulator: nothing to point at
        return
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return
    with acting(source="demo"):
        for app in DEMO_WECHAT_APPS:
            account = SocialAccount.objects.filter(
                platform__in=["wechat_service", "wechat_subscription"],
                platform_account_id=app.original_id,
            ).first()
            if account is None:
                continue
            _bind(admin, account, app.appid)
            _store(admin, account, "app_secret", app.secret)
            _store(admin, account, "callback_token", DEMO_CALLBACK_TOKEN)
            _store(admin, account, "aes_key", DEMO_AES_KEY)
        weibo_app, douyin_app = DEMO_WEIBO_APPS[0], DEMO_DOUYIN_APPS[0]
        for (name, platform), key, secret, options in (
            (
                WEIBO_ACCOUNT,
                weibo_app.key,
                weibo_app.secret,
                {"safe_domains": list(weibo_app.safe_domains), "rip": "127.0.0.1"},
            ),
            (DOUYIN_ACCOUNT, douyin_app.key, douyin_app.secret, None),
        ):
            account = SocialAccount.objects.filter(name=name, platform=platform).first()
            if account is None:
                continue
            _bind(admin, account, key, options)
            _store(admin, account, "app_secret", secret)
