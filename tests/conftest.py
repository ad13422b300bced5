import pytest


def pytest_collection_modifyitems(items):
    """A transactional test (browser, concurrency) flushes the database when it ends, reference data
    included: the economic classes and role groups that data migrations load. So that the order of
    such tests does not matter, each one restores that data first (serialized_rollback)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction") or "serialized_rollback" in marker.kwargs:
            continue
        item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False)
