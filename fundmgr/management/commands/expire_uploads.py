"""python manage.py expire_uploads

Deletes the dry-run uploads (uploads/ in the default storage) that were not confirmed within UPLOAD_TTL_HOURS,
the finance bureau's review batches as old, and the background jobs as old with their files
(fundmgr.jobs.jobs_expire), and says how many. Run it from cron; the upload page also sweeps as it is used.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fundmgr.jobs import jobs_expire
from fundmgr.review.batch import expire_review_batches
from fundmgr.workbook.upload import expire_uploads


class Command(BaseCommand):
    help = "Delete unconfirmed workbook uploads older than UPLOAD_TTL_HOURS."

    def handle(self, *args, **options):
        deleted = expire_uploads() + expire_review_batches() + jobs_expire()
        self.stdout.write(
            _("已删除 %(count)s 个超过 %(hours)s 小时未确认的上传文件") % {"count": deleted, "hours": settings.UPLOAD_TTL_HOURS}
        )
