from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundmgrConfig(AppConfig):
    name = "fundmgr"
    verbose_name = _("预算执行与绩效自评")

    def ready(self):
        # The tasks register themselves with fundmgr.jobs (job_task), for job_start to enqueue them.
        from fundmgr import tasks  # noqa: F401
        from fundmgr.lib.columns import copy_columns_shallow, memoise_signatures

        memoise_signatures()
        copy_columns_shallow()
