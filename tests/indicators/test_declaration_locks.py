"""Declarations under real concurrency, on PostgreSQL: two officers at once on one scope."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from indicators.declarations import declaration_approve, declaration_start, declaration_submit, declaration_update
from indicators.models import Indicator, TargetDeclaration
from tests import personas

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to race")


def together(work, times: int = 2) -> list:
    """Run `work` on `times` threads released at once; each result or ValidationError, in any order."""
    barrier, results = threading.Barrier(times), []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except ValidationError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_officers_starting_the_same_scope_open_one_draft():
    skip_unless_postgres()
    world = personas.build()
    results = together(lambda: declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance))
    assert sorted(type(result).__name__ for result in results) == ["TargetDeclaration", "ValidationError"]
    assert TargetDeclaration.objects.filter(item=world.item_a2).count() == 1


def test_two_officers_approving_the_same_version_apply_it_once():
    skip_unless_postgres()
    world = personas.build()
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    row = {"code": "C1", "level1": "output", "level2": "数量", "name": "台数", "direction": "ge", "target": "5", "unit": "台"}
    declaration_update(declaration=draft, goal="", rows=[row], user=world.finance)
    declaration_submit(declaration=draft, user=world.finance)
    results = together(lambda: declaration_approve(declaration=draft, user=world.finance))
    assert sorted(type(result).__name__ for result in results) == ["TargetDeclaration", "ValidationError"]
    assert Indicator.objects.filter(item=world.item_a2).count() == 1
    assert TargetDeclaration.objects.get(item=world.item_a2).state == "approved"
