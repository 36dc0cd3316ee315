"""How well the text's sentiment agrees with the customer's own NPS answer: promoter ↔ positive,
passive ↔ neutral, detractor ↔ negative. Prints the confusion matrix, the accuracy, Cohen's kappa, and the
same for the two-way question "is a detractor's comment negative, a promoter's positive"."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from apps.feedback.models import FeedbackItem
from apps.workspaces.models import Workspace

GROUPS = ["promoter", "passive", "detractor"]
LABELS = ["positive", "neutral", "negative"]


def kappa(matrix: list[list[int]]) -> float | None:
    """Cohen's kappa of a square confusion matrix (rows: reference, columns: prediction)."""
    total = sum(map(sum, matrix))
    if not total:
        return None
    observed = sum(matrix[i][i] for i in range(len(matrix))) / total
    expected = sum(sum(matrix[i]) * sum(row[i] for row in matrix) for i in range(len(matrix))) / total ** 2
    return (observed - expected) / (1 - expected) if expected < 1 else None


class Command(BaseCommand):
    help = "Agreement of the feedback sentiment labels with the NPS groups (confusion matrix, accuracy, kappa)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="a workspace slug (default: all workspaces)")
        parser.add_argument("--language", choices=["ko", "en"], help="only feedback in this language")

    def handle(self, *args, **options):
        items = FeedbackItem.objects.exclude(score_group="").exclude(sentiment_label="")
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace {options['workspace']!r}.")
            items = items.for_workspace(workspace)
        if options["language"]:
            items = items.filter(language=options["language"])
        counts = {(row["score_group"], row["sentiment_label"]): row["n"] for row in
                  items.values("score_group", "sentiment_label").annotate(n=Count("pk")).order_by()}
        matrix = [[counts.get((group, label), 0) for label in LABELS] for group in GROUPS]
        total = sum(map(sum, matrix))
        if not total:
            self.stdout.write("No analysed feedback with an NPS answer.")
            return
        width = 11
        self.stdout.write(f"{total} analysed items with an NPS answer\n")
        self.stdout.write("NPS group \\ sentiment".ljust(22) + "".join(label.rjust(width) for label in LABELS))
        for group, row in zip(GROUPS, matrix, strict=True):
            self.stdout.write(group.ljust(22) + "".join(str(n).rjust(width) for n in row))
        accuracy = sum(matrix[i][i] for i in range(3)) / total
        self.stdout.write(f"\n3-way accuracy (promoter↔positive, passive↔neutral, detractor↔negative): {accuracy:.3f}")
        self.stdout.write(f"3-way Cohen's kappa: {kappa(matrix):.3f}")
        # Promoters and detractors only; a neutral label counts as a miss.
        polar = [[matrix[0][0], matrix[0][1] + matrix[0][2]], [matrix[2][0] + matrix[2][1], matrix[2][2]]]
        two_way = [[matrix[0][0], matrix[0][2]], [matrix[2][0], matrix[2][2]]]
        polar_total = sum(map(sum, polar))
        if polar_total:
            hits = matrix[0][0] + matrix[2][2]
            self.stdout.write(f"Promoter↔positive / detractor↔negative accuracy: {hits / polar_total:.3f} "
                              f"({hits} of {polar_total})")
            decided = sum(map(sum, two_way))
            if decided:
                self.stdout.write(f"Among items labelled positive or negative: accuracy "
                                  f"{(two_way[0][0] + two_way[1][1]) / decided:.3f}, kappa {kappa(two_way):.3f}")
        for index, group in enumerate(GROUPS):
            row_total = sum(matrix[index])
            if row_total:
                self.stdout.write(f"recall of {group}: {matrix[index][index] / row_total:.3f} ({row_total} items)")
