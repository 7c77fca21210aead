"""Walks the whole role × action × scope matrix against the written specification below.

The table is deliberately spelled out here rather than read from the code, so a change to a
role's powers must change this specification too.
"""

import pytest

from mediadesk.orgs.models import Role, UnitKind
from mediadesk.orgs.permissions import ROLE_ACTIONS, Action, can, unit_paths_for
from tests import factories as f

pytestmark = pytest.mark.django_db

VIEW = {"org.view", "account.view", "content.view"}
SPEC: dict[str, set[str]] = {
    "general_manager": VIEW
    | {
        "person.view",
        "audit.view",
        "inbox.view",
        "analytics.view",
        "analytics.export",
        "risk.view",
        "risk.manage",
    },
    "hq_communications": VIEW
    | {
        "org.manage",
        "person.view",
        "person.manage",
        "role.grant",
        "audit.view",
        "audit.export",
        "settings.manage",
        "account.apply",
        "account.manage",
        "account.approve",
        "account.file",
        "content.publish",
        "content.withdraw",
        "inbox.view",
        "analytics.view",
        "analytics.export",
        "risk.view",
        "risk.manage",
        "compliance.manage",
    },
    "operator": VIEW
    | {
        "account.apply",
        "account.file",
        "content.draft",
        "content.publish",
        "inbox.view",
        "inbox.reply",
        "analytics.view",
    },
    "reviewer_l1": VIEW | {"content.review_l1", "analytics.view"},
    "reviewer_l2": VIEW | {"person.view", "content.review_l2", "analytics.view"},
    "reviewer_l3": VIEW | {"content.review_l3", "risk.view", "compliance.manage"},
    "customer_service": VIEW | {"inbox.view", "inbox.reply"},
    "data_analyst": VIEW | {"analytics.view", "analytics.export"},
    "technical_support": VIEW | {"settings.manage", "menu.change", "audit.view"},
    "account_admin": VIEW
    | {"person.view", "account.manage", "credential.reveal", "credential.manage", "menu.change"},
}


def test_the_specification_names_every_role_and_only_known_actions():
    assert set(SPEC) == set(Role.values)
    known = {a.value for a in Action}
    assert set().union(*SPEC.values()) <= known


def test_the_code_grants_exactly_the_specified_actions():
    assert {role: {a.value for a in actions} for role, actions in ROLE_ACTIONS.items()} == SPEC


@pytest.fixture
def tree():
    group = f.group()
    bu = f.unit(group, name="业务单位甲")
    dept = f.unit(bu, UnitKind.DEPARTMENT, name="部门甲")
    other = f.unit(group, name="业务单位乙")
    return group, bu, dept, other


@pytest.mark.parametrize("role", list(Role.values))
def test_every_role_action_and_scope(tree, role):
    """Granted on a business unit: allowed there and below for its actions, nowhere else."""
    group, bu, dept, other = tree
    holder = f.person(bu, role)
    for action in Action:
        expected = action.value in SPEC[role]
        assert can(holder, action, bu) is expected, (role, action, "own unit")
        assert can(holder, action, dept) is expected, (role, action, "department below")
        assert can(holder, action, other) is False, (role, action, "sibling unit")
        assert can(holder, action, group) is False, (role, action, "the group above")
        assert can(holder, action) is expected, (role, action, "anywhere")


def test_a_group_wide_grant_covers_every_unit(tree):
    group, bu, dept, other = tree
    analyst = f.person(group, "data_analyst")
    assert all(can(analyst, "analytics.view", u) for u in (group, bu, dept, other))
    assert unit_paths_for(analyst, "analytics.view") is not None


def test_people_without_roles_and_people_who_left_may_do_nothing(tree):
    _group, bu, *_ = tree
    nobody = f.person(bu)
    assert not any(can(nobody, a, bu) for a in Action)
    nobody.is_active = False
    assert not can(nobody, "org.view", bu)


def test_a_system_administrator_may_do_everything(tree):
    assert all(can(f.superuser(), a, tree[3]) for a in Action)


def test_every_action_has_a_readable_label_for_refusals():
    from mediadesk.orgs.permissions import ACTION_LABELS

    assert set(ACTION_LABELS) == set(Action)
