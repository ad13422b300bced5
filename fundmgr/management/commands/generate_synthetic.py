from django.core.management.base import BaseCommand, CommandError

from fundmgr.demo.synthetic import synthetic_ledger_create
from units.models import DepartmentYear


class Command(BaseCommand):
    help = "Create a synthetic, valid ledger with bulk inserts: departments PREFIX001… for one year."

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, required=True)
        parser.add_argument("--units-per-department", type=int, required=True)
        parser.add_argument("--items-per-unit", type=int, required=True)
        parser.add_argument("--expenditures", type=int, required=True, help="total over all departments")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="SYN", help="department code prefix (default SYN)")

    def handle(self, *args, **options):
        for name in ("departments", "units_per_department", "items_per_unit"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        if options["expenditures"] < 0:
            raise CommandError("--expenditures must not be negative")
        if DepartmentYear.objects.filter(department__code__startswith=options["prefix"], year=options["year"]).exists():
            raise CommandError(
                f"departments with the prefix {options['prefix']} already have the year {options['year']}; choose another --prefix"
            )
        counts = synthetic_ledger_create(
            departments=options["departments"],
            units_per_department=options["units_per_department"],
            items_per_unit=options["items_per_unit"],
            expenditures=options["expenditures"],
            year=options["year"],
            seed=options["seed"],
            prefix=options["prefix"],
        )
        self.stdout.write(
            f"created {counts.departments} departments, {counts.units} units, {counts.items} items, "
            f"{counts.lines} budget lines, {counts.expenditures} expenditures, {counts.indicators} indicators"
        )
