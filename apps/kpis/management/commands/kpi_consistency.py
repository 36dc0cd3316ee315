import random

from django.core.management.base import BaseCommand, CommandError

from apps.kpis import selectors
from apps.kpis.models import DailyRollup, SegmentRollup
from apps.surveys import partitions
from apps.workspaces.models import Workspace


class Command(BaseCommand):
    help = ("Compare rollup-derived figures with a raw recompute from responses for random slices "
            "(workspace, day range, filter). Exits with an error on any difference.")

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=50)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--workspace", help="only this workspace (slug)")

    def handle(self, *args, samples=50, seed=None, workspace=None, **options):
        rng = random.Random(seed)
        archived = partitions.archived_until()
        checked, mismatches = 0, []
        workspaces = list(Workspace.objects.filter(slug=workspace) if workspace else Workspace.objects.all())
        for _ in range(samples):
            if not workspaces:
                break
            workspace = rng.choice(workspaces)
            rollups = DailyRollup.objects.for_workspace(workspace)
            if archived is not None:
                # Archived months keep their rollups (the history) but not their responses; a local day
                # may straddle the UTC month boundary, hence the day of margin.
                rollups = rollups.filter(day__gt=archived)
            days = list(rollups.values_list("day", flat=True).distinct()[:400])
            if not days:
                continue
            first, last = sorted(rng.sample(days, 2) if len(days) > 1 else [days[0], days[0]])
            filters = self._random_filters(rng, workspace, first, last)
            checked += 1
            if not selectors.matches_raw(workspace, first, last, filters):
                mismatches.append(f"{workspace.slug} {first}..{last} {filters}")
        for mismatch in mismatches:
            self.stderr.write(f"MISMATCH {mismatch}")
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {checked} slices differ from a raw recompute")
        self.stdout.write(self.style.SUCCESS(f"{checked} slices match a raw recompute exactly"))

    def _random_filters(self, rng, workspace, first, last) -> selectors.KpiFilters:
        kind = rng.choice(["none", "touchpoint", "channel", "survey", "segment"])
        rows = DailyRollup.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last)
        if kind == "touchpoint":
            ids = list(rows.exclude(touchpoint=None).values_list("touchpoint_id", flat=True).distinct()[:50])
            return selectors.KpiFilters(touchpoint_id=rng.choice(ids)) if ids else selectors.KpiFilters()
        if kind == "channel":
            channels = list(rows.values_list("channel", flat=True).distinct()[:20])
            return selectors.KpiFilters(channel=rng.choice(channels)) if channels else selectors.KpiFilters()
        if kind == "survey":
            ids = list(rows.values_list("survey_id", flat=True).distinct()[:50])
            return selectors.KpiFilters(survey_id=rng.choice(ids)) if ids else selectors.KpiFilters()
        if kind == "segment":
            pairs = list(SegmentRollup.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last)
                         .values_list("attribute", "value").distinct()[:50])
            return selectors.KpiFilters(segments=(rng.choice(pairs),)) if pairs else selectors.KpiFilters()
        return selectors.KpiFilters()
