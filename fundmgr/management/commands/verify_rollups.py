from django.core.management.base import BaseCommand, CommandError

from projects.rollups import rollup_differences, rollup_rebuild


class Command(BaseCommand):
    help = "Check the monthly spending rollup against the raw expenditure sums; --rebuild recomputes it."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute the rollup from the expenditures first")

    def handle(self, *args, **options):
        if options["rebuild"]:
            self.stdout.write(f"rebuilt: {rollup_rebuild()} rollup rows")
        differences = rollup_differences()
        if differences:
            for item_id, period, class_code, status, rollup, raw, rollup_entries, raw_entries in differences:
                self.stdout.write(
                    f"item {item_id} {period} {class_code} {status}: rollup {rollup} ({rollup_entries}), raw {raw} ({raw_entries})"
                )
            raise CommandError(f"the rollup differs from the raw sums at {len(differences)} key(s); run with --rebuild")
        self.stdout.write("rollup matches the raw sums")
