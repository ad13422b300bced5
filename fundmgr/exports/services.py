from django.db import transaction

from units.models import DepartmentYear


@transaction.atomic
def department_year_narrative_update(
    *, department_year: DepartmentYear, duties: str, key_work: str, problems: str, measures: str
) -> DepartmentYear:
    """Store the report's narrative sections of a department-year."""
    department_year.duties = duties.strip()
    department_year.key_work = key_work.strip()
    department_year.problems = problems.strip()
    department_year.measures = measures.strip()
    department_year.save(update_fields=["duties", "key_work", "problems", "measures"])
    return department_year
