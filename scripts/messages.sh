#!/bin/sh
# Refresh the English catalog after strings were added or changed (issue 7).
#
#   scripts/messages.sh      (or: make messages)
#
# 1. makemessages merges every msgid of the apps and templates into locale/en/LC_MESSAGES/django.po:
#    new ones arrive with an empty msgstr (or marked fuzzy), vanished ones are dropped;
# 2. compilemessages writes django.mo, which is committed so that no machine needs gettext to run.
# Then translate the empty and fuzzy entries in django.po (remove the "#, fuzzy" line), run this
# script again, and commit both files. tests/fundmgr/test_translations.py fails until every msgid
# has a translation and the .mo matches the .po. Needs GNU gettext (apt-get install -y gettext).
set -e
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
# The settings refuse to load without a SECRET_KEY unless DEBUG is on; extraction needs neither.
export DEBUG="${DEBUG:-1}"
"$PYTHON" manage.py makemessages --locale en --no-obsolete --add-location=file \
    --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=var --ignore=staticfiles --ignore=docs
"$PYTHON" manage.py compilemessages --locale en --ignore=.venv
msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po
