"""Who may review filled 自评表: superusers and the finance bureau group (财政厅), the users for
whom the province view shows the whole province (units.access.province_department_ids returns
None); a leader of several departments sees that view for their departments but does not review."""

from units.access import FINANCE_BUREAU_GROUP


def may_review(user) -> bool:
    """Whether the review pages answer `user` with a page."""
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=FINANCE_BUREAU_GROUP).exists())
