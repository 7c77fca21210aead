"""The append-only audit log (ORG-4).

Every entry carries the SHA-256 of its own content chained to the previous entry's hash, so
editing, deleting or reordering rows is detectable by :func:`mediadesk.audit.services.verify_chain`.
Database triggers (see ``guards.py``) refuse UPDATE always and DELETE of entries younger than the
retention minimum; the model refuses both at the ORM level as well.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit entries are deleted only by the retention purge")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300, blank=True)
    scope_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=20)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are deleted only by the retention purge")


class AuditChainHead(models.Model):
    """One row holding the chain's tip; updating it first serialises concurrent appends."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain at #{self.seq}"


class AuditPurge(models.Model):
    """A retention purge: the hash of the last purged entry anchors the chain that remains."""

    at = models.DateTimeField()
    purged_before = models.DateTimeField()
    purged_count = models.IntegerField()
    anchor_seq = models.BigIntegerField()
    anchor_hash = models.CharField(max_length=64)
    actor_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-anchor_seq"]

    def __str__(self) -> str:
        return f"purge up to #{self.anchor_seq}"
