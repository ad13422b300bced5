"""Loaded as a pytest plugin (`-p tests.env`) before Django's settings are read.

Tests run with DEBUG off, like production, so they need a throwaway secret key.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# Tests do not run collectstatic: serve static files from the finders, without a manifest.
os.environ.setdefault("STATIC_MANIFEST", "0")
# The test client and the live server speak plain http: no HTTPS redirect, no Secure-only cookies.
# tests/fundmgr/test_deploy.py checks the production defaults in a subprocess.
os.environ.setdefault("HTTPS", "0")
