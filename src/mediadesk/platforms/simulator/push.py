"""WeChat pushes to the product's callback URL, signed (and encrypted) as WeChat does.

WeChat POSTs XML with ``signature = sha1(sorted(token, timestamp, nonce))`` in the query; in
safe mode (an EncodingAESKey is set) the body is ``<xml><ToUserName/><Encrypt/></xml>`` with
``encrypt_type=aes`` and ``msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt))``.
It waits 5 s and retries three times on a timeout or a non-200, so the product's dedupe is
exercised. Deliveries run on a worker thread; every attempt is kept for ``/_sim/pushes``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import secrets
import struct
import threading
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from .clock import Clock
from .config import CallbackConfig


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def encrypt(aes_key: str, appid: str, text: str) -> str:
    """Encrypt a message body for safe mode; wechatpy's implementation when it is installed."""
    try:
        from wechatpy.crypto import PrpCrypto
    except ImportError:  # pragma: no cover - wechatpy is a dependency; kept for slim installs
        return _encrypt_with_cryptography(aes_key, appid, text)
    key = base64.b64decode(aes_key + "=")
    out = PrpCrypto(key).encrypt(text, appid)
    return out.decode("ascii") if isinstance(out, bytes) else str(out)


def _encrypt_with_cryptography(aes_key: str, appid: str, text: str) -> str:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(aes_key + "=")
    msg = text.encode("utf-8")
    plain = os.urandom(16) + struct.pack(">I", len(msg)) + msg + appid.encode("utf-8")
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


@dataclass
class PushRecord:
    id: int
    kind: str  # PUBLISHJOBFINISH, MASSSENDJOBFINISH, message…
    appid: str
    url: str | None
    xml: str  # the plain XML, before any encryption
    encrypted: bool
    ref: str | None
    created_at: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: bool = False
    response_status: int | None = None
    response_body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Envelope:
    record: PushRecord
    callback: CallbackConfig
    original_id: str
    openid: str | None


class Pusher:
    def __init__(self, clock: Clock, timeout: float = 5.0, retries: int = 3) -> None:
        self.clock = clock
        self.timeout = timeout
        self.retries = retries
        self._queue: queue.Queue[_Envelope] = queue.Queue()
        self._records: list[PushRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next = 1

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sim-pusher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                envelope = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self._deliver(envelope)

    # -- API --------------------------------------------------------------------------------
    def submit(
        self,
        callback: CallbackConfig | None,
        *,
        appid: str,
        original_id: str,
        xml: str,
        kind: str,
        ref: str | None = None,
        openid: str | None = None,
        wait: bool = False,
    ) -> PushRecord:
        """Queue a push (or deliver it now with ``wait``); without a callback it is only logged."""
        with self._lock:
            record = PushRecord(
                id=self._next,
                kind=kind,
                appid=appid,
                url=callback.url if callback else None,
                xml=xml,
                encrypted=bool(callback and callback.aes_key),
                ref=ref,
                created_at=self.clock.now(),
            )
            self._next += 1
            self._records.append(record)
        if callback is None:
            return record
        envelope = _Envelope(record, callback, original_id, openid)
        if wait:
            self._deliver(envelope)
        else:
            self._queue.put(envelope)
        return record

    def flush(self) -> None:
        """Deliver whatever is queued, on this thread (for use without ``start``)."""
        while True:
            try:
                envelope = self._queue.get_nowait()
            except queue.Empty:
                return
            self._deliver(envelope)

    def records(self) -> list[PushRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    # -- delivery ---------------------------------------------------------------------------
    def signed_request(self, envelope: _Envelope) -> tuple[str, bytes]:
        cb = envelope.callback
        timestamp = str(int(self.clock.now()))
        nonce = str(secrets.randbelow(10**10))
        params = {
            "signature": signature(cb.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        if envelope.openid:
            params["openid"] = envelope.openid
        body = envelope.record.xml
        if cb.aes_key:
            encrypted = encrypt(cb.aes_key, envelope.record.appid, body)
            params["encrypt_type"] = "aes"
            params["msg_signature"] = signature(cb.token, timestamp, nonce, encrypted)
            body = (
                f"<xml>\n<ToUserName><![CDATA[{envelope.original_id}]]></ToUserName>\n"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>\n</xml>"
            )
        sep = "&" if "?" in cb.url else "?"
        return f"{cb.url}{sep}{urlencode(params)}", body.encode("utf-8")

    def _deliver(self, envelope: _Envelope) -> None:
        record = envelope.record
        url, body = self.signed_request(envelope)
        headers = {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}
        with httpx.Client(timeout=self.timeout) as client:
            for attempt in range(1 + max(0, self.retries)):
                if attempt and self._stop.wait(0.2):
                    return
                started = self.clock.now()
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    record.attempts.append(
                        {"at": started, "status": None, "error": type(exc).__name__}
                    )
                    continue
                record.attempts.append({"at": started, "status": response.status_code})
                record.response_status = response.status_code
                record.response_body = response.text[:2000]
                if response.status_code == 200:
                    record.delivered = True
                    return
