"""View plumbing on top of fundmgr.access, which holds the rule (404 outside the user's
membership, 403 for a role without the right).

Every department page resolves the user's Scope first: anonymous users are sent to the login
page, then fundmgr.access answers 404 or 403.
"""

from django.contrib.auth.mixins import AccessMixin

from fundmgr.access import DEPARTMENT_WIDE, FINANCE, READ, SPEND, department_scope, require
from units.models import Membership

__all__ = ["DEPARTMENT_WIDE", "FINANCE", "READ", "SPEND", "ScopedViewMixin", "require"]


class ScopedViewMixin(AccessMixin):
    """Sets self.scope from the URL's department code and year, checking `need` against the role.

    A view whose URL names one record (an expenditure's pk) overrides look_up(): the record is
    fetched through fundmgr.access first (404 outside the user's unit), and only then is the role
    checked (403), so that the answer does not tell another unit's accountant that it exists.
    """

    need = READ

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.look_up(**kwargs)
        require(self.scope, self.need)
        return super().dispatch(request, *args, **kwargs)

    def look_up(self, **kwargs) -> None:
        """Fetch the record the URL names through fundmgr.access (404 when out of scope)."""

    @property
    def department_year(self):
        return self.scope.department_year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(scope=self.scope, department_year=self.scope.department_year)
        return context


def is_finance_officer(user) -> bool:
    """True for superusers and members of some department's finance office: the admin's audience."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.Role.FINANCE).exists()


def finance_admin_has_permission(request) -> bool:
    """Hook for AdminSite.has_permission: staff flag AND finance office (or superuser)."""
    return request.user.is_active and request.user.is_staff and is_finance_officer(request.user)
