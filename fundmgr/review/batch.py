"""A review batch kept between requests: the check results as JSON with the pending uploads.

The file is `<token>.review.json` (32 hex digits from secrets.token_hex(16)) in the default
storage's `uploads/` (FILES_DIR or the S3 bucket: any app server reads it),
with the id of the user who uploaded: only they may open it (others get 404). Old batches are
swept with the pending uploads (expire_review_batches, same UPLOAD_TTL_HOURS).
"""

import json
import re
import secrets
import time

from django.conf import settings

from fundmgr.workbook.upload import HOUR, expire_kept, kept_name, kept_read, kept_write

BATCH_NAME = re.compile(r"[0-9a-f]{32}\.review\.json")


def batch_path(token: str) -> str | None:
    return kept_name(f"{token}.review.json", BATCH_NAME)


def batch_keep(*, user, files: list[dict]) -> str:
    """Keep the results (one dict per file: name, error or tables) and return the token."""
    token = secrets.token_hex(16)
    content = json.dumps({"user": user.pk, "created": time.time(), "files": files}, ensure_ascii=False)
    kept_write(batch_path(token), content.encode())
    return token


def batch_load(token: str, user) -> dict | None:
    """The batch of `token` if `user` uploaded it and it has not expired, else None."""
    name = batch_path(token)
    content = kept_read(name) if name is not None else None
    if content is None:
        return None
    try:
        batch = json.loads(content.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(batch, dict) or batch.get("user") != user.pk:
        return None
    created = batch.get("created")
    if not isinstance(created, (int, float)) or time.time() - created > settings.UPLOAD_TTL_HOURS * HOUR:
        return None
    return batch


def expire_review_batches(*, now: float | None = None) -> int:
    return expire_kept((BATCH_NAME,), now=now)
