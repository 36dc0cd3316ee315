"""Routes for tests/test_database_unavailable.py: the project's error handlers, and views that fail."""

from django.db import InterfaceError, OperationalError
from django.urls import path


def unreachable(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def dropped(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ZeroDivisionError


urlpatterns = [path("unreachable/", unreachable), path("dropped/", dropped), path("bug/", bug)]
handler500 = "cxm.views.server_error"
