"""The test client with the production request routing: the survey pages go through their own middleware
chain (cxm/handlers.py), as cxm.wsgi serves them."""

from django import test
from django.test.client import ClientHandler

from cxm.handlers import PublicPathsMixin


class RoutedClientHandler(PublicPathsMixin, ClientHandler):
    pass


class Client(test.Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler = RoutedClientHandler(self.handler.enforce_csrf_checks)
