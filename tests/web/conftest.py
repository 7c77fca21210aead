"""People and clients for the web tests, built through the services (see tests/factories.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f
from tests.content.world import media_root, team  # noqa: F401 - the content pages' fixtures
from tests.web.accounts_world import world  # noqa: F401 - the account pages' fixture


@pytest.fixture
def bu(db):
    return f.unit(name="华东事业部")


@pytest.fixture
def dept(bu):
    return f.unit(bu, name="市场部")


@pytest.fixture
def hq(db):
    """HQ communications on the whole group: manages the organisation and reads the audit log."""
    return f.person(f.group(), "hq_communications", username="hq")


@pytest.fixture
def operator(dept):
    """An operator in a department: may see the organisation, not manage it."""
    return f.person(dept, "operator", username="op")


@pytest.fixture
def nobody(db):
    """A person without any role."""
    return f.person(f.group(), username="nobody")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hq_client(hq):
    return client_for(hq)


@pytest.fixture
def operator_client(operator):
    return client_for(operator)


@pytest.fixture
def nobody_client(nobody):
    return client_for(nobody)


def results(response) -> str:
    """The HTML of the page's ``#results`` section (the table the filters act on)."""
    html = response.content.decode()
    return html.split('id="results"', 1)[1].split("</section>", 1)[0]
