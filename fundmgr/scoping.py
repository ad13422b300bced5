"""View plumbing for role enforcement (issue 4), on top of fundmgr.access.

Every department page resolves the user's Scope first: anonymous users are sent to the login
page, outsiders get 404 (nothing leaks), and a member whose role cannot do what the page does
gets 403 (the department is theirs, the action is not).
"""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from fundmgr.access import Scope, department_scope
from units.models import Membership

READ = "read"
SPEND = "spend"  # enter, edit and delete expenditures: the finance office and unit accountants
FINANCE = "finance"  # budget lines, approvals, month closing, uploads


def require(scope: Scope, need: str) -> None:
    if need == SPEND and not scope.can_write_spending:
        raise PermissionDenied
    if need == FINANCE and not scope.is_finance:
        raise PermissionDenied


class ScopedViewMixin(AccessMixin):
    """Sets self.scope from the URL's department code and year, checking `need` against the role."""

    need = READ

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        require(self.scope, self.need)
        return super().dispatch(request, *args, **kwargs)

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
