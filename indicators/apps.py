from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("绩效指标")

    def ready(self):
        from indicators import checks  # noqa: F401  (registers the system checks, Django's way)
