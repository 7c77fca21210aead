"""Each organisation's own additions to the built-in lexicon (CMP-2): terms and allow-list.

Entries belong to an org unit and apply to it and every unit below. Removing an entry keeps the
row (``removed_at``) so the lexicon's history can be read back; the audit log has who and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediadesk.orgs.models import OrgUnit


class EntryKind(models.TextChoices):
    TERM = "term", _("Term")
    ALLOW = "allow", _("Allowed phrase")


class Severity(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")
    INFO = "info", _("Info")


class LexiconEntry(models.Model):
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="lexicon_entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    text = models.CharField(_("text"), max_length=100)
    category = models.CharField(_("category"), max_length=50, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    suggestion = models.CharField(_("suggestion"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["org_unit__path", "kind", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "kind", "text"],
                condition=Q(removed_at__isnull=True),
                name="lexiconentry_unique_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"
