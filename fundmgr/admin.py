"""Accounts, groups and the login-lockout records span every department: in the admin only
superusers see or change them. A finance office gives roles through Membership (units.admin),
so no Django permission it is granted can make a superuser or read another department's people.

Re-registers what django.contrib.auth and django-axes registered: they come earlier in
INSTALLED_APPS, so their admin modules have already run.

django-tasks-db's task results are not in the admin at all: their arguments name any department's
files and jobs, and the job pages (fundmgr.job_views) show each user their own."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult

from units.admin_mixins import SuperuserOnlyAdminMixin

for model in (get_user_model(), Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        registered = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(registered.__name__, (SuperuserOnlyAdminMixin, registered), {}))

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
