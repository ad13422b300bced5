"""Error pages. Django's own handlers render templates/400.html, 403.html, 404.html and
500.html; only the CSRF failure needs a view, so that its page has the app's look and names no
internal reason (Django's default page explains the CSRF mechanism in English)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
