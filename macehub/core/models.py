"""The core's one table: the submissions already made with a one-time token
(``macehub.core.submissions``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """A form or API call that created a record, by the one-time token it carried: a
    second POST with the same token (a double click, a retried request) creates nothing
    and is taken to what this one created. Written in the same transaction as the record;
    unique per user, so that another user's token is never honoured."""

    token = models.CharField(max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    # Where the first request took the user (its redirect), once it has answered.
    location = models.CharField(max_length=2000, blank=True, default="", db_default="")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="core_submission_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="core_submission_created")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"
