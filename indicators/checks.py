"""System checks of the indicators app's settings (registered by IndicatorsConfig.ready)."""

from django.core import checks

from indicators.formulas import BY_KEY, unknown_setting_keys


@checks.register()
def check_ledger_formulas(app_configs, **kwargs):
    """settings.LEDGER_FORMULAS names only formulas indicators.formulas knows."""
    return [
        checks.Error(
            f"LEDGER_FORMULAS names an unknown ledger formula: {key!r}",
            hint=f"Known keys: {', '.join(BY_KEY)}",
            id="indicators.E001",
        )
        for key in unknown_setting_keys()
    ]
