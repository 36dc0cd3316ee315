"""Monthly partitions of the responses table (PostgreSQL):

    manage.py response_partitions list               # partitions, oldest first, with their row counts
    manage.py response_partitions ensure [--ahead 3] [--since 2024-01]
    manage.py response_partitions detach 2024-01     # into the archive schema, with its answers
    manage.py response_partitions check              # answers, feedback or cases pointing at no response
"""

from django.core.management.base import BaseCommand, CommandError

from apps.surveys import partitions


class Command(BaseCommand):
    help = "List, create, detach (archive) and check the monthly partitions of the responses table."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="partitions and their row counts")
        ensure = actions.add_parser("ensure", help="create the partitions up to --ahead months from now")
        ensure.add_argument("--ahead", type=int, default=partitions.MONTHS_AHEAD)
        ensure.add_argument("--since", help="also create the months from this one (YYYY-MM)")
        detach = actions.add_parser("detach", help="detach a month into the archive schema")
        detach.add_argument("month", help="YYYY-MM")
        actions.add_parser("check", help="rows that point at a missing response")

    def handle(self, *args, action, **options):
        if action == "check":
            found = partitions.strays()
            for name, count in found.items():
                self.stdout.write(f"{name} without their response: {count}")
            if any(found.values()):
                raise CommandError("some rows point at responses that do not exist")
            return
        if not partitions.is_partitioned():
            raise CommandError("responses are not partitioned on this database (PostgreSQL only)")
        try:
            if action == "list":
                for partition in partitions.partitions(count_rows=True):
                    month = f"{partition.first:%Y-%m}" if partition.first else "default"
                    self.stdout.write(f"{month:>8}  {partition.name}  {partition.rows:,} responses")
            elif action == "ensure":
                since = partitions.parse_month(options["since"]) if options["since"] else None
                created = partitions.partitions_ensure(months_ahead=options["ahead"], since=since)
                self.stdout.write(f"created: {', '.join(created)}" if created else "every partition exists")
            elif action == "detach":
                result = partitions.partition_detach(month=partitions.parse_month(options["month"]))
                self.stdout.write(f"{result['responses']:,} responses and {result['answers']:,} answers moved to "
                                  f"{result['table']}; {result['unlinked']:,} feedback items and cases unlinked")
        except ValueError as error:
            raise CommandError(str(error)) from error
