"""A piece of long work a member of staff asked for from a page (publishing a month's
report, drawing a PDF), run in the background by ``governance.requested_jobs``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from macehub.governance.codes import RequestedJobStatus


class RequestedJob(models.Model):
    """Its progress while it runs and, when done, its result: a link to what it made (a
    published report) or a file (a PDF). A file is kept in the database only until its
    requester downloads it or it expires (``expires_at``), whichever is first."""

    kind = models.CharField(max_length=80, help_text="The registered kind of job.")
    title = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestedJobStatus.choices,
                              default=RequestedJobStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    result_url = models.CharField(max_length=300, blank=True)
    result_label = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False,
                                 help_text="Emptied when downloaded or expired.")
    problem = models.TextField(blank=True, help_text="Why the job failed.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["expires_at"], name="requested_job_expiry")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (RequestedJobStatus.DONE, RequestedJobStatus.FAILED)
