"""Where uploaded files (佐证材料) are kept, read from the environment in a fresh process, as
tests/fundmgr/test_settings.py reads the production settings: the file system under var/ by
default, an S3-compatible bucket (django-storages) when S3_BUCKET is set. No network: the settings
are read, no bucket is contacted."""

import json
import sys

from tests.fundmgr.test_settings import BASE_DIR, production_environment, run

NAMES = ["STORAGES", "EVIDENCE_MAX_BYTES", "EVIDENCE_MAX_FILES"]
SCRIPT = (
    "import json; from django.conf import settings; "
    f"print(json.dumps({{name: getattr(settings, name) for name in {NAMES!r}}}, default=str))"
)
S3_VARIABLES = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PREFIX")


def read_settings(**overrides) -> dict:
    environment = production_environment(**{**{name: None for name in S3_VARIABLES}, "FILES_DIR": None, **overrides})
    result = run([sys.executable, "-c", SCRIPT], environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_are_kept_under_var_by_default_with_a_20_mb_and_20_files_limit():
    settings = read_settings()
    assert settings["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / "var" / "files")},
    }
    assert (settings["EVIDENCE_MAX_BYTES"], settings["EVIDENCE_MAX_FILES"]) == (20 * 1024 * 1024, 20)


def test_an_s3_bucket_in_the_environment_selects_django_storages_s3_backend_kept_private():
    settings = read_settings(
        S3_BUCKET="fundmgr-evidence",
        S3_ENDPOINT_URL="https://minio.example.gov.cn",
        S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        S3_SECRET_ACCESS_KEY="secret-from-the-vault",
        S3_PREFIX="xjwf",
        EVIDENCE_MAX_BYTES="5242880",
        EVIDENCE_MAX_FILES="8",
    )
    assert settings["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "fundmgr-evidence",
            "endpoint_url": "https://minio.example.gov.cn",
            "access_key": "AKIAEXAMPLE",
            "secret_key": "secret-from-the-vault",
            "location": "xjwf",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    assert settings["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")  # static files stay where they were
    assert (settings["EVIDENCE_MAX_BYTES"], settings["EVIDENCE_MAX_FILES"]) == (5242880, 8)


def test_an_s3_setting_without_a_bucket_stops_the_start_up():
    environment = production_environment(S3_BUCKET=None, S3_ENDPOINT_URL="https://minio.example.gov.cn")
    result = run([sys.executable, "-c", SCRIPT], environment)
    assert result.returncode != 0
    assert "S3_BUCKET must be set" in result.stderr


def test_a_limit_that_is_not_a_positive_number_stops_the_start_up():
    for value in ("20MB", "0"):
        result = run([sys.executable, "-c", SCRIPT], production_environment(EVIDENCE_MAX_BYTES=value))
        assert result.returncode != 0, value
        assert "EVIDENCE_MAX_BYTES" in result.stderr
