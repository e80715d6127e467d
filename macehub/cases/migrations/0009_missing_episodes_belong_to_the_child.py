"""Missing episodes belong to the child, not only to a case; the return home interview
records its offer (when, by whom, independent or not), the child's answer, and the outcome.

Existing episodes take their child from their case. An interview already recorded as
held was, by then, offered and accepted: it keeps its time as the time of the offer, so
the 72-hour figure (now counting offers) reads old episodes as it did before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def child_from_case_and_offer_from_interview(apps, schema_editor):
    MissingEpisode = apps.get_model("cases", "MissingEpisode")
    for episode in MissingEpisode.objects.select_related("case").iterator():
        episode.child_id = episode.case.child_id
        if episode.return_interview_at is not None:
            episode.interview_offered_at = episode.return_interview_at
            episode.interview_response = "accepted"
        episode.save(update_fields=["child", "interview_offered_at", "interview_response"])


def back_to_episodes_of_cases(apps, schema_editor):
    """Going back, every episode needs a case again: refuse while any is the child's
    alone, rather than delete it."""
    MissingEpisode = apps.get_model("cases", "MissingEpisode")
    without_case = MissingEpisode.objects.filter(case__isnull=True).count()
    if without_case:
        raise RuntimeError(
            f"{without_case} missing episodes are recorded against a child without a case: "
            "link each to a case before reversing this migration"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_contact_notes_confidential_to_advocacy'),
        ('people', '0003_trigram_search_on_postgresql'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='missingepisode',
            options={'ordering': ['-went_missing_at', '-pk']},
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='child',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='missing_episodes', to='people.person'),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_offered_at',
            field=models.DateTimeField(blank=True, help_text='When the return home interview was offered.', null=True),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_offered_by',
            field=models.CharField(blank=True, help_text='The name of the person who offered it.', max_length=200),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_offered_by_agency',
            field=models.CharField(blank=True, help_text='Their agency or service.', max_length=200),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_offerer',
            field=models.CharField(blank=True, choices=[('independent', 'An independent person (for example a commissioned service)'), ('not_independent', 'Not independent (for example their social worker)')], help_text='Whether the person offering it was independent.', max_length=20),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_outcome',
            field=models.TextField(blank=True, help_text='What the interview found, and what follows from it.'),
        ),
        migrations.AddField(
            model_name='missingepisode',
            name='interview_response',
            field=models.CharField(blank=True, choices=[('accepted', 'Accepted'), ('declined', 'Declined')], help_text='Whether the child accepted or declined the interview.', max_length=10),
        ),
        migrations.AlterField(
            model_name='missingepisode',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='missing_episodes', to='cases.case'),
        ),
        migrations.AlterField(
            model_name='missingepisode',
            name='return_interview_at',
            field=models.DateTimeField(blank=True, help_text='When the return home interview was held.', null=True),
        ),
        migrations.RunPython(child_from_case_and_offer_from_interview, back_to_episodes_of_cases),
        migrations.AlterField(
            model_name='missingepisode',
            name='child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='missing_episodes', to='people.person'),
        ),
        migrations.AddConstraint(
            model_name='missingepisode',
            constraint=models.CheckConstraint(condition=models.Q(('interview_offered_at__isnull', True), models.Q(('returned_at__isnull', False), ('interview_offered_at__gte', models.F('returned_at'))), _connector='OR'), name='interview_offered_after_return'),
        ),
        migrations.AddConstraint(
            model_name='missingepisode',
            constraint=models.CheckConstraint(condition=models.Q(('return_interview_at__isnull', True), models.Q(('interview_offered_at__isnull', False), ('return_interview_at__gte', models.F('interview_offered_at')), ('interview_response', 'accepted')), _connector='OR'), name='interview_held_after_accepted_offer'),
        ),
        migrations.AddConstraint(
            model_name='missingepisode',
            constraint=models.CheckConstraint(condition=models.Q(('interview_response', ''), ('interview_offered_at__isnull', False), _connector='OR'), name='interview_answer_after_offer'),
        ),
    ]
