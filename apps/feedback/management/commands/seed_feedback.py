from django.core.management.base import BaseCommand

from apps.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Feedback items, tags, themes, sentiment, cases and alerts for the demo responses (cxm/demo_feedback)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="workspace slugs (default: the demo brands)")
        parser.add_argument("--analyse-limit", type=int, default=None)

    def handle(self, *args, **options):
        from cxm.demo_feedback import ANALYSE_LIMIT, seed_feedback

        slugs = options["slugs"] or ["hanbit-telecom", "georeum-shoes"]
        for workspace in Workspace.objects.filter(slug__in=slugs):
            counts = seed_feedback(workspace, analyse_limit=options["analyse_limit"] or ANALYSE_LIMIT, verbose=True)
            self.stdout.write(f"{workspace.slug}: {counts}")
