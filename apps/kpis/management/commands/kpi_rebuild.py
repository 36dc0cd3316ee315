from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.kpis import services
from apps.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Recompute KPI rollups from responses for one workspace (or all) and a period (default: all)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="workspace slug (default: every workspace)")
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day, YYYY-MM-DD")

    def handle(self, *args, workspace=None, first=None, last=None, **options):
        workspaces = Workspace.objects.all()
        if workspace:
            workspaces = workspaces.filter(slug=workspace)
            if not workspaces.exists():
                raise CommandError(f"no workspace with slug {workspace!r}")
        for each in workspaces:
            counts = services.rollups_rebuild(workspace=each, first=first, last=last)
            self.stdout.write(f"{each.slug}: {counts['daily']} daily, {counts['segment']} segment, "
                              f"{counts['invitation']} invitation rows")
