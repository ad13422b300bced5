"""The seed department's dashboard as of December 2024 shows 95.87 % against 100 %, and the
score 99.6 优 (DOMAIN.md section 3). Skipped where load_demo is absent."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.fundmgr.dashboard_support import plain_static_files  # noqa: F401

HAS_SEED = (Path(__file__).resolve().parents[2] / "fundmgr" / "management" / "commands" / "load_demo.py").exists()

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not HAS_SEED, reason="no load_demo command")]


def test_seed_dashboard_in_december_2024_shows_95_87_against_100_and_99_6_excellent(client):
    call_command("load_demo")
    client.force_login(User.objects.create_superuser("seed-check", "seed@example.cn", "x"))
    html = client.get("/d/XJWF/2024/?asof=2024-12").content.decode()
    assert re.search(r'data-card="execution-rate">95\.87%<', html)
    assert re.search(r'data-card="progress">100\.00%<', html)
    assert re.search(r'data-card="score">99\.6 <span class="rating">优</span>', html)
    assert re.search(r'data-card="spent">8,977\.93<', html)
