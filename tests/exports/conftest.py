import pytest

from tests.exports.factories import build_ledger


@pytest.fixture
def ledger(db):
    return build_ledger()
