"""The one place where money and rates are rounded and formatted (DOMAIN.md sections 1, 2 and 5).

Amounts are stored as exact yuan Decimals with 2 places; rounding happens only where a
figure is shown or scored, always half up.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TEN_THOUSAND = Decimal("10000")
HUNDRED = Decimal("100")


# Decimal(1).scaleb(-places) of the usual places, made once: round_half_up runs ~1,500 times a dashboard.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round a Decimal half up to `places` decimals (DOMAIN.md section 2)."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def yuan(value: Decimal | None) -> Decimal:
    """An amount of yuan to the cent; None (an empty aggregate) is 0.00."""
    return round_half_up(value if value is not None else ZERO)


def wan(value: Decimal | None) -> Decimal:
    """Yuan shown as 万元 with 2 places, as the seed report does."""
    return round_half_up(yuan(value) / TEN_THOUSAND)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """An unrounded ratio, or None when the denominator is 0 (a rate is then undefined)."""
    if not denominator:
        return None
    return numerator / denominator


def percent(value: Decimal | None) -> Decimal | None:
    """A ratio shown as a percentage with 2 decimals, half up: 0.958683 -> 95.87."""
    if value is None:
        return None
    return round_half_up(value * HUNDRED)


def money_str(value: Decimal | None) -> str:
    """A yuan amount as the JSON contract writes it: "1234.50"."""
    return f"{yuan(value):.2f}"


def percent_str(rate: Decimal | None) -> str | None:
    """A ratio as the JSON contract writes a rate: "95.87", or None."""
    shown = percent(rate)
    return None if shown is None else f"{shown:.2f}"
