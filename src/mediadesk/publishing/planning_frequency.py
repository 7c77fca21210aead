"""Editing frequency rules (PUB-3).

A rule on one account replaces the defaults for it, which is a decision about the account
(``Action.ACCOUNT_MANAGE`` there: HQ, the account administrator). A default for a platform or a
matrix role is a group-wide setting (``Action.SETTINGS_MANAGE`` at the group).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediadesk.accounts.models import MatrixRole, Platform, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.core.scopes import Scope
from mediadesk.orgs.permissions import Action, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import FrequencyPeriod, FrequencyRule


def _require(actor: Any, rule: FrequencyRule) -> None:
    if rule.account_id:
        require(actor, Action.ACCOUNT_MANAGE, rule.account)
    else:
        require(actor, Action.SETTINGS_MANAGE, Scope())


def _snapshot(rule: FrequencyRule) -> dict[str, Any]:
    return {
        "account": rule.account_id,
        "platform": rule.platform,
        "matrix_role": rule.matrix_role,
        "period": rule.period,
        "minimum": rule.minimum,
        "maximum": rule.maximum,
        "note": rule.note,
    }


def _validate(rule: FrequencyRule) -> None:
    if rule.account_id and (rule.platform or rule.matrix_role):
        raise ValidationFailed(
            _("A rule is for one account, or a default for a platform and/or a matrix role."),
            fields={"account": _("not with a platform or matrix role")},
        )
    if not (rule.account_id or rule.platform or rule.matrix_role):
        raise ValidationFailed(
            _("Say which account, platform or matrix role the rule is for."),
            fields={"account": _("required")},
        )
    if rule.platform and rule.platform not in Platform.values:
        raise ValidationFailed(_("Unknown platform."), fields={"platform": _("invalid")})
    if rule.matrix_role and rule.matrix_role not in MatrixRole.values:
        raise ValidationFailed(_("Unknown matrix role."), fields={"matrix_role": _("invalid")})
    if rule.period not in FrequencyPeriod.values:
        raise ValidationFailed(_("The period is day, week or month."), fields={"period": "!"})
    if rule.minimum is None or rule.minimum < 0:
        raise ValidationFailed(_("The minimum is 0 or more."), fields={"minimum": _("invalid")})
    if rule.maximum is not None and (rule.maximum < 1 or rule.maximum < rule.minimum):
        raise ValidationFailed(
            _("The maximum is at least 1 and not below the minimum."),
            fields={"maximum": _("invalid")},
        )
    if not rule.minimum and rule.maximum is None:
        raise ValidationFailed(
            _("A rule needs a minimum or a maximum."), fields={"minimum": _("required")}
        )
    same = FrequencyRule.objects.filter(
        account_id=rule.account_id,
        platform=rule.platform,
        matrix_role=rule.matrix_role,
        period=rule.period,
    ).exclude(pk=rule.pk)
    if same.exists():
        raise Conflict(_("There is already a rule for this and this period; change that one."))


@transaction.atomic
def create_frequency_rule(
    *,
    actor: Any,
    period: str,
    account: SocialAccount | None = None,
    platform: str = "",
    matrix_role: str = "",
    minimum: int = 0,
    maximum: int | None = None,
    note: str = "",
) -> FrequencyRule:
    rules.seed_default_planning()  # so a first custom default does not suppress the seeds
    rule = FrequencyRule(
        account=account,
        platform=platform or "",
        matrix_role=matrix_role or "",
        period=period,
        minimum=minimum,
        maximum=maximum,
        note=(note or "").strip()[:200],
    )
    _require(actor, rule)
    _validate(rule)
    rule.save()
    record_event(action="publishing.frequency.create", actor=actor, obj=rule, after=_snapshot(rule))
    return rule


@transaction.atomic
def update_frequency_rule(*, actor: Any, rule: FrequencyRule, **changes: Any) -> FrequencyRule:
    """Change ``period``, ``minimum``, ``maximum`` or ``note`` (a rule keeps what it is for)."""
    rule = FrequencyRule.objects.select_for_update().get(pk=rule.pk)
    _require(actor, rule)
    unknown = set(changes) - {"period", "minimum", "maximum", "note"}
    if unknown:
        raise ValidationFailed(
            _("These cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields=dict.fromkeys(sorted(unknown), _("not editable")),
        )
    before = _snapshot(rule)
    for name, value in changes.items():
        setattr(rule, name, (value or "").strip()[:200] if name == "note" else value)
    _validate(rule)
    rule.save()
    record_event(
        action="publishing.frequency.update",
        actor=actor,
        obj=rule,
        before=before,
        after=_snapshot(rule),
    )
    return rule


@transaction.atomic
def delete_frequency_rule(*, actor: Any, rule: FrequencyRule) -> None:
    _require(actor, rule)
    record_event(
        action="publishing.frequency.delete", actor=actor, obj=rule, before=_snapshot(rule)
    )
    rule.delete()
