from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundmgrConfig(AppConfig):
    name = "fundmgr"
    verbose_name = _("预算执行与绩效自评")

    def ready(self):
        from axes.signals import user_locked_out

        from fundmgr.logs import lockout_logged

        user_locked_out.connect(lockout_logged, dispatch_uid="fundmgr.logs.lockout_logged")
