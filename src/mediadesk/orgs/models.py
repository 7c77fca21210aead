"""Organisation tree, people, role assignments and personal API tokens (ORG-1, ORG-2)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GROUP = "group", _("Group")
    BUSINESS_UNIT = "business_unit", _("Business unit")
    DEPARTMENT = "department", _("Department")


class OrgUnit(models.Model):
    """A node of the tree group → business units → departments.

    ``path`` is the materialised chain of ids (``/1/4/9/``) so "this unit and everything below"
    is one indexed prefix query, for permissions and for listing.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    code = models.CharField(_("code"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name"),
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(parent__isnull=True))
                | (~Q(kind="group") & Q(parent__isnull=False)),
                name="orgunit_group_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class User(AbstractUser):
    """A person. People are deactivated, never deleted, so the audit trail keeps its actors."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("unit"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    """The roles of ORG-2; what each may do is in :mod:`mediadesk.orgs.permissions`."""

    GENERAL_MANAGER = "general_manager", _("General manager")
    HQ_COMMUNICATIONS = "hq_communications", _("HQ communications")
    OPERATOR = "operator", _("Operator / editor")
    REVIEWER_L1 = "reviewer_l1", _("L1 reviewer (content planner)")
    REVIEWER_L2 = "reviewer_l2", _("L2 reviewer (department manager)")
    REVIEWER_L3 = "reviewer_l3", _("L3 reviewer (legal / PR)")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    ACCOUNT_ADMIN = "account_admin", _("Account administrator")


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """A role held by a person on an org unit (and everything below it) or on one account.

    Exactly one of ``org_unit`` and ``account`` is set. Revoked grants stay, for the history.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="role_grants"
    )
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"],
                condition=Q(revoked_at__isnull=True),
                name="roleassignment_unique_active",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "account"],
                condition=Q(revoked_at__isnull=True),
                name="roleassignment_unique_active_account",
            ),
            models.CheckConstraint(
                condition=(Q(org_unit__isnull=False) & Q(account__isnull=True))
                | (Q(org_unit__isnull=True) & Q(account__isnull=False)),
                name="roleassignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.scope_object}"

    @property
    def scope_object(self) -> object:
        return self.account if self.account_id else self.org_unit


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
