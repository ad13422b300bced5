import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.logs import SECURITY, log_event


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("部门与预算单位")

    def ready(self):
        from axes.signals import user_locked_out  # third-party: axes reads its settings on import

        user_locked_out.connect(self.lockout_logged, weak=False, dispatch_uid="units.lockout_logged")

    def lockout_logged(self, sender, request=None, username=None, ip_address=None, **kwargs) -> None:
        """Receiver of axes' user_locked_out signal: who was locked out, from where, and their department."""
        department = (
            self.get_model("Membership")
            .objects.filter(user__username=username)
            .order_by("department__code")
            .values_list("department__code", flat=True)
            .first()
            if username
            else None
        )
        log_event("login_locked_out", user=username, department=department, level=logging.WARNING,
                  logger=SECURITY, ip_address=ip_address)
