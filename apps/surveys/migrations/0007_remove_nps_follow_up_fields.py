"""The NPS follow-up fields are now display conditions (0004 moved their values)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_follow_ups_to_conditions")]

    operations = [
        migrations.RemoveConstraint(
            model_name='question',
            name='question_show_if_min_0_10',
        ),
        migrations.RemoveConstraint(
            model_name='question',
            name='question_show_if_max_0_10',
        ),
        migrations.RemoveField(
            model_name='question',
            name='show_if_nps_max',
        ),
        migrations.RemoveField(
            model_name='question',
            name='show_if_nps_min',
        ),
    ]
