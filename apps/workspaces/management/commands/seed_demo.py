"""Load the demo: two fictional Korean brands with a member of every role. Running it again
updates the same rows instead of adding new ones."""

import time
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.workspaces.models import Invitation, Membership, Role, Workspace

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, created only by this command

BRANDS = [
    {"slug": "hanbit-telecom", "name": "한빛텔레콤 Hanbit Telecom", "brand_color": "#0F766E",
     "default_language": "ko", "time_zone": "Asia/Seoul"},
    {"slug": "georeum-shoes", "name": "걸음슈즈 Georeum Shoes", "brand_color": "#7C3AED",
     "default_language": "ko", "time_zone": "Asia/Seoul"},
]

# username, first name, last name, language, {workspace slug: role}
PEOPLE = [
    ("demo", "Demo", "User", "", {"hanbit-telecom": Role.OWNER, "georeum-shoes": Role.OWNER}),
    ("minji", "민지", "김", "ko", {"hanbit-telecom": Role.ADMIN, "georeum-shoes": Role.ANALYST}),
    ("junho", "준호", "이", "ko", {"hanbit-telecom": Role.ANALYST}),
    ("seoyeon", "서연", "박", "ko", {"hanbit-telecom": Role.VIEWER, "georeum-shoes": Role.ADMIN}),
    ("alex", "Alex", "Morgan", "en", {"georeum-shoes": Role.VIEWER}),
]


class Command(BaseCommand):
    help = "Create or refresh the demo brand workspaces and their members (user demo, password demo)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=5000, help="customers per brand (default 5000)")
        parser.add_argument("--responses", type=int, default=200_000,
                            help="survey responses per brand over the last 12 months (default 200000)")

    def handle(self, *args, **options):
        workspaces = self._brands_and_people()

        from apps.kpis.services import rollups_rebuild
        from cxm.demo_customers import seed_customers
        from cxm.demo_errc import seed_errc
        from cxm.demo_feedback import seed_feedback
        from cxm.demo_invitations import seed_invitations
        from cxm.demo_journeys import seed_journeys
        from cxm.demo_logic import seed_logic
        from cxm.demo_segments import seed_segments
        from cxm.demo_surveys import seed_surveys
        from cxm.demo_webhooks import seed_webhooks

        for workspace in workspaces.values():
            started = time.monotonic()
            step = partial(self._step, workspace)
            with transaction.atomic():
                step("journeys", seed_journeys, workspace)
                step("customers", seed_customers, workspace, count=options["customers"])
            surveys = step("surveys and responses", seed_surveys, workspace, responses=options["responses"])
            if not surveys["skipped"]:
                step("feedback analysis and cases", seed_feedback, workspace)
            step("invitation waves", seed_invitations, workspace)
            step("segments and NPS waves", seed_segments, workspace)
            step("survey logic and partial responses", seed_logic, workspace)
            step("KPI rollups", rollups_rebuild, workspace=workspace)
            step("ERRC board", seed_errc, workspace)
            step("webhooks", seed_webhooks, workspace)
            self.stdout.write(f"{workspace.name}: {surveys['surveys']} surveys, "
                              f"{'existing' if surveys['skipped'] else surveys['responses']} responses, "
                              f"ready in {time.monotonic() - started:.0f} s")
        self.stdout.write(self.style.SUCCESS(
            "Demo ready: sign in at http://127.0.0.1:8000/ as user 'demo', password 'demo'. "
            "Other demo members (same password): minji, junho, seoyeon, alex."))

    def _step(self, brand, label: str, function, *args, **kwargs):
        """Run one part of the demo and print its time, so a slow demo says where it spends it."""

        began = time.monotonic()
        result = function(*args, **kwargs)
        self.stdout.write(f"  {brand.name}: {label} {time.monotonic() - began:.1f} s")
        return result

    @transaction.atomic
    def _brands_and_people(self) -> dict:
        User = get_user_model()
        workspaces = {}
        for brand in BRANDS:
            workspace, _ = Workspace.objects.update_or_create(slug=brand["slug"], defaults=brand)
            workspaces[workspace.slug] = workspace
        for username, first_name, last_name, language, roles in PEOPLE:
            user, created = User.objects.get_or_create(username=username, defaults={
                "first_name": first_name, "last_name": last_name, "language": language,
                "email": f"{username}@demo.cxm.localhost"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            for slug, role in roles.items():
                Membership.objects.update_or_create(workspace=workspaces[slug], user=user,
                                                    defaults={"role": role})
        # demo can open the whole admin site; minji is a staff operator who sees only her workspaces there.
        User.objects.filter(username="demo").update(is_staff=True, is_superuser=True)
        operators, _ = Group.objects.get_or_create(name="Operators")
        operators.permissions.set(Permission.objects.filter(
            content_type__app_label__in=["workspaces", "accounts"], codename__regex=r"^(view|change|add)_"))
        minji = User.objects.get(username="minji")
        User.objects.filter(pk=minji.pk).update(is_staff=True)
        minji.groups.add(operators)
        telecom = workspaces["hanbit-telecom"]
        if not Invitation.objects.for_workspace(telecom).filter(email="new.hire@demo.cxm.localhost").exists():
            Invitation.objects.create(workspace=telecom, email="new.hire@demo.cxm.localhost", role=Role.ANALYST,
                                      invited_by=User.objects.get(username="demo"))
        return workspaces
