"""No credential value appears in any API response, page, log line or audit entry.

The API is walked from its own OpenAPI schema (every GET, path parameters filled with real ids)
and the web UI by following every internal link from the dashboard, so new endpoints and pages
are covered without editing this test.
"""

import json
import logging
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from mediadesk.accounts.models import Credential
from mediadesk.audit.models import AuditEntry
from mediadesk.demo import load_demo
from mediadesk.orgs import services as org_services
from mediadesk.orgs.models import User

pytestmark = pytest.mark.django_db
SECRET = "S3cret-value-that-must-never-show-9d27"
ROTATED = "R0tated-value-that-must-never-show-41c8"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])


@pytest.fixture
def world(caplog):
    caplog.set_level(logging.DEBUG)
    load_demo()
    admin = User.objects.get(username="admin")
    _, raw = org_services.create_api_token(actor=admin, name="leak-test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    account_id = Credential.objects.first().account_id
    stored = api.post(
        f"/api/v1/accounts/{account_id}/credentials",
        {"kind": "access_token", "value": SECRET, "label": "leak"},
        content_type="application/json",
    )
    assert stored.status_code == 201, stored.content
    credential_id = stored.json()["id"]
    revealed = api.post(
        f"/api/v1/credentials/{credential_id}/reveal",
        {"purpose": "test"},
        content_type="application/json",
    )
    assert revealed.json()["value"] == SECRET  # the one place a value may appear
    api.post(
        f"/api/v1/credentials/{credential_id}/rotate",
        {"value": ROTATED},
        content_type="application/json",
    )
    return {
        "api": api,
        "admin": admin,
        "ids": {"account_id": account_id, "credential_id": credential_id},
    }


def _secrets():
    return [SECRET, ROTATED, "demo-tech-app-secret-0001", "Demo-weibo-password-01"]


def _fill(path, ids):
    from mediadesk.accounts.models import AccountApplication, Filing

    values = {
        "account_id": ids["account_id"],
        "credential_id": ids["credential_id"],
        "unit_id": User.objects.get(username="admin").org_unit_id,
        "person_id": User.objects.get(username="keeper").pk,
        "application_id": AccountApplication.objects.first().pk,
        "filing_id": Filing.objects.first().pk,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def test_no_api_response_contains_a_secret(world):
    schema = Client().get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        response = world["api"].get(_fill(path, world["ids"]))
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")  # a library file streams
        for secret in _secrets():
            assert secret not in body, f"{path} leaks a secret"
        checked += 1
    assert checked >= 20


def test_no_page_contains_a_secret(world):
    browser = Client()
    browser.force_login(world["admin"])
    seen, queue = set(), ["/"]
    while queue and len(seen) < 200:
        url = queue.pop()
        if url in seen or url.startswith(("/logout", "/i18n", "/static")):
            continue
        seen.add(url)
        response = browser.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode("utf-8", "replace")
        for secret in _secrets():
            assert secret not in body, f"{url} leaks a secret"
        parser = _Links()
        parser.feed(body)
        queue.extend(link for link in parser.links if link not in seen)
    assert len(seen) >= 5


def test_no_log_line_or_audit_entry_contains_a_secret(world, caplog):
    lines = "\n".join(record.getMessage() for record in caplog.records)
    audit = json.dumps(
        list(AuditEntry.objects.values("before", "after", "object_repr")), ensure_ascii=False
    )
    for secret in _secrets():
        assert secret not in lines
        assert secret not in audit
