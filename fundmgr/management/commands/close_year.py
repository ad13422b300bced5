import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.lib.money import money_str
from indicators.declarations import declaration_copy_previous_year
from projects import yearend
from units.models import DepartmentYear

USAGE_ERROR = 2  # what an unknown department, year, item code or user exits with


def result_json(result: yearend.YearEndResult) -> dict:
    """The object DOMAIN.md section 8 prints for a closed year."""
    return {
        "year": result.year,
        "next_year": result.next_year,
        "carried": [{"code": row.code, "amount": money_str(row.amount)} for row in result.carried],
        "lapsed": [{"code": row.code, "amount": money_str(row.amount)} for row in result.lapsed],
        "carried_total": money_str(result.carried_total),
        "lapsed_total": money_str(result.lapsed_total),
    }


class Command(BaseCommand):
    help = (
        "Close a department-year (年终结转, DOMAIN.md section 8): close its open months, carry unspent "
        "balances over to the next year or let them lapse, and print the result as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. XJWF")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--carry", action="append", default=[], metavar="CODE", help="carry this item over (repeatable)")
        parser.add_argument("--lapse", action="append", default=[], metavar="CODE", help="let this item lapse (repeatable)")
        parser.add_argument("--user", help="close the open months as this user (needed when some month is still open)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be carried and lapsed, write nothing")
        parser.add_argument(
            "--copy-targets",
            action="store_true",
            help="also copy this year's approved performance targets into next year as draft declarations (issue 16)",
        )

    def handle(self, *args, department, year, carry, lapse, user=None, dry_run=False, copy_targets=False, **options):
        department_year = (
            DepartmentYear.objects.select_related("department").filter(department__code=department, year=year).first()
        )
        if department_year is None:
            raise CommandError(
                _("没有找到部门 %(department)s 的 %(year)s 年度数据") % {"department": department, "year": year},
                returncode=USAGE_ERROR,
            )
        closer = None
        if user:
            closer = get_user_model().objects.filter(username=user).first()
            if closer is None:
                raise CommandError(_("用户“%(username)s”不存在") % {"username": user}, returncode=USAGE_ERROR)
        try:
            yearend.check_codes(department_year=department_year, carry=set(carry), lapse=set(lapse))
        except ValidationError as error:
            raise CommandError(_("；").join(error.messages), returncode=USAGE_ERROR) from None
        try:
            if dry_run:
                result = yearend.preview(department_year=department_year, carry=carry, lapse=lapse)
            else:
                result = yearend.close_year(department_year=department_year, carry=carry, lapse=lapse, user=closer)
        except ValidationError as error:
            raise CommandError(_("；").join(error.messages)) from None
        output = result_json(result)
        if copy_targets and not dry_run:
            # the next year exists now (close_year creates it): its drafts start from this year's targets in force
            following = DepartmentYear.objects.get(department=department_year.department_id, year=result.next_year)
            copied = declaration_copy_previous_year(department_year=following, user=closer)
            output["targets_copied"] = [
                {
                    "scope": version.item.code if version.item_id else "",
                    "version": version.version,
                    "indicators": len(version.indicators),
                }
                for version in copied
            ]
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
