"""A review batch kept between requests: the check results as JSON under the upload folder.

The file is `<token>.review.json` (32 hex digits from secrets.token_hex(16)) in VAR_DIR/uploads,
with the id of the user who uploaded: only they may open it (others get 404). Old batches are
swept with the pending uploads (expire_review_batches, same UPLOAD_TTL_HOURS).
"""

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from fundmgr.workbook.upload import HOUR, upload_dir

BATCH_NAME = re.compile(r"[0-9a-f]{32}\.review\.json")


def batch_path(token: str) -> Path | None:
    name = f"{token}.review.json"
    return upload_dir() / name if BATCH_NAME.fullmatch(name) else None


def batch_keep(*, user, files: list[dict]) -> str:
    """Keep the results (one dict per file: name, error or tables) and return the token."""
    token = secrets.token_hex(16)
    path = batch_path(token)
    path.write_text(json.dumps({"user": user.pk, "created": time.time(), "files": files}, ensure_ascii=False))
    return token


def batch_load(token: str, user) -> dict | None:
    """The batch of `token` if `user` uploaded it and it has not expired, else None."""
    path = batch_path(token)
    if path is None or not path.is_file():
        return None
    try:
        batch = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if batch.get("user") != user.pk:
        return None
    created = batch.get("created")
    if not isinstance(created, (int, float)) or time.time() - created > settings.UPLOAD_TTL_HOURS * HOUR:
        return None
    return batch


def expire_review_batches(*, now: float | None = None) -> int:
    folder = Path(settings.VAR_DIR) / "uploads"
    if not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - settings.UPLOAD_TTL_HOURS * HOUR
    deleted = 0
    for path in folder.iterdir():
        if BATCH_NAME.fullmatch(path.name):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:
                continue
    return deleted
