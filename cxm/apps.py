from django.apps import AppConfig


class CxmConfig(AppConfig):
    name = "cxm"
    verbose_name = "cxm"

    def ready(self) -> None:
        from . import security  # noqa: F401 - registers the deploy check
