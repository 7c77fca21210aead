"""The WeChat callback endpoint: ``/callbacks/wechat/<account id>/`` (issue 6, item 3).

* ``GET`` — URL verification: ``signature = sha1(sorted(token, timestamp, nonce))``; the answer
  is ``echostr`` verbatim (plain even in safe mode, for Official Accounts).
* ``POST`` — a message or event. The ``signature`` is checked always; in safe mode
  (``encrypt_type=aes``) also ``msg_signature`` over the ciphertext, which wechatpy's
  ``WeChatCrypto`` then decrypts (checking the trailing AppID). The push is stored and a job
  queued — nothing else — and the answer is ``success`` well within WeChat's 5 s.

The callback token (vault kind ``callback_token``) and EncodingAESKey (``aes_key``) come from
the credentials vault. A refused request gets 403, is not recorded, and is logged with the
account id, the reason and the caller's address — never a token, key or signature. Pushes are
accepted while a connection is switched off: they are facts about the account all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import xmltodict
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from mediadesk.accounts.credentials import credential_value
from mediadesk.accounts.models import SocialAccount
from mediadesk.platforms.bindings import WECHAT, family
from mediadesk.platforms.events import BadPush, record_push
from mediadesk.platforms.models import PlatformBinding

log = logging.getLogger("mediadesk.platforms.callbacks")

MAX_BODY_BYTES = 256 * 1024


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _refuse(request: HttpRequest, account_id: int, reason: str, status: int = 403) -> HttpResponse:
    log.warning(
        "WeChat callback for account %s refused (%s): %s from %s",
        account_id,
        status,
        reason,
        _client(request),
    )
    return HttpResponse("forbidden" if status == 403 else "bad request", status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_callback(request: HttpRequest, account_id: int) -> HttpResponse:
    binding = (
        PlatformBinding.objects.select_related("account__owning_unit")
        .filter(account_id=account_id)
        .first()
    )
    account: SocialAccount | None = binding.account if binding else None
    if binding is None or account is None or family(account.platform) != WECHAT:
        return _refuse(request, account_id, "no WeChat connection for this account", 404)
    token = credential_value(account, "callback_token")
    if not token:
        return _refuse(request, account_id, "no callback token in the vault")
    query = request.GET
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not timestamp or not nonce or not query.get("signature"):
        return _refuse(request, account_id, "signature parameters missing")
    if not _same(signature(token, timestamp, nonce), query.get("signature", "")):
        return _refuse(request, account_id, "bad signature")
    if request.method == "GET":
        return HttpResponse(query.get("echostr", ""), content_type="text/plain; charset=utf-8")

    if len(request.body) > MAX_BODY_BYTES:
        return _refuse(request, account_id, "body too large", 413)
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(request, account_id, "body is not UTF-8", 400)
    encrypted = query.get("encrypt_type", "").lower() == "aes"
    if encrypted:
        xml = _decrypt(request, account, binding, token, body)
        if isinstance(xml, HttpResponse):
            return xml
    else:
        xml = body
    try:
        _event, created = record_push(account, xml, encrypted=encrypted)
    except BadPush as exc:
        return _refuse(request, account_id, f"unreadable push ({exc})", 400)
    if created:
        log.info("WeChat push recorded for account %s", account_id)
    return HttpResponse("success", content_type="text/plain; charset=utf-8")


def _decrypt(
    request: HttpRequest, account: SocialAccount, binding: PlatformBinding, token: str, body: str
) -> str | HttpResponse:
    """The plain XML of a safe-mode push, or the refusal."""
    aes_key = credential_value(account, "aes_key")
    if not aes_key:
        return _refuse(request, account.pk, "encrypted push but no AES key in the vault")
    try:
        outer = xmltodict.parse(body).get("xml")
    except Exception:  # expat errors have no common public base
        outer = None
    ciphertext = str(outer.get("Encrypt") or "") if isinstance(outer, dict) else ""
    query = request.GET
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    given = query.get("msg_signature", "")
    if not ciphertext or not given:
        return _refuse(request, account.pk, "encrypted push without Encrypt or msg_signature")
    if not _same(signature(token, timestamp, nonce, ciphertext), given):
        return _refuse(request, account.pk, "bad msg_signature")
    try:
        crypto = WeChatCrypto(token, aes_key, binding.app_id)
        plain = crypto.decrypt_message({"Encrypt": ciphertext}, given, timestamp, nonce)
    except InvalidSignatureException:
        return _refuse(request, account.pk, "bad msg_signature")
    except InvalidAppIdException:
        return _refuse(request, account.pk, "encrypted for another AppID")
    except Exception as exc:  # a wrong key gives padding, base64 or UTF-8 errors
        return _refuse(request, account.pk, f"cannot decrypt ({type(exc).__name__})")
    return plain.decode("utf-8") if isinstance(plain, bytes) else str(plain)
