import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of long work run as a task (fundmgr.tasks): a big import, export or review batch.

    Its progress, errors and result live here, in the database, so that every app process and the
    worker see the same state (the page polls it). Only `user` sees it; an import's job is also seen
    by the finance office of the workbook's department (`department_code`, set once the workbook is
    known to be theirs). The uploaded file and a generated file are names in the default storage.
    """

    class Kind(models.TextChoices):
        IMPORT_CHECK = "import_check", _("工作簿试导入")
        IMPORT = "import", _("工作簿导入")
        EXPORT = "export", _("导出文件")
        REVIEW = "review", _("自评表复核")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("发起人"))
    department_code = models.CharField(_("部门编码"), max_length=32, blank=True)
    params = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=255, blank=True)  # the uploaded file(s) in the default storage
    output = models.CharField(max_length=255, blank=True)  # a generated file in the default storage
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A running job's sign of life: set when it begins and at each progress update (fundmgr.jobs).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.id}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
