"""Missing episodes became the child's (counted with or without a case) and the return
home interview figure now counts interviews *offered* within 72 hours. A month published
before its definitions were stored with it was counted by the earlier definitions: store
those with it, so the report shows them as published and says the measure has changed
since (as it does for any later redefinition)."""

from django.db import migrations

DEFINED_BEFORE = {
    "missing_episodes": {
        "definition": (
            "Times a child with a MACE case went missing from home or care in the period. "
            "The area is the district of the child's current address."
        ),
        "numerator": "Missing episodes that began in the period",
        "denominator": "",
    },
    "return_interviews_in_time": {
        "definition": (
            "Of the children who came back from a missing episode in the period, the share "
            "offered a return home interview within 72 hours of coming back. Returns less "
            "than 72 hours ago without an interview yet are still in time and not counted. "
            "The area is the district of the child's current address."
        ),
        "numerator": "Returns with an interview within 72 hours",
        "denominator": "Returns in the period whose 72 hours have passed, or with an interview",
    },
}


def store_the_earlier_definitions(apps, schema_editor):
    MonthlyReport = apps.get_model("performance", "MonthlyReport")
    for report in MonthlyReport.objects.all():
        published = set(report.figures.filter(metric_code__in=DEFINED_BEFORE)
                        .values_list("metric_code", flat=True))
        missing = {code: DEFINED_BEFORE[code] for code in sorted(published)
                   if code not in report.definitions}
        if missing:
            report.definitions = {**report.definitions, **missing}
            report.save(update_fields=["definitions"])


def forget_them(apps, schema_editor):
    """Going back: remove exactly what the forward step stored (a definition equal to
    the earlier text), leaving any month published with its own definitions alone."""
    MonthlyReport = apps.get_model("performance", "MonthlyReport")
    for report in MonthlyReport.objects.all():
        kept = {code: texts for code, texts in report.definitions.items()
                if DEFINED_BEFORE.get(code) != texts}
        if kept != report.definitions:
            report.definitions = kept
            report.save(update_fields=["definitions"])


class Migration(migrations.Migration):

    dependencies = [
        ("performance", "0002_published_definitions"),
    ]

    operations = [
        migrations.RunPython(store_the_earlier_definitions, forget_them),
    ]
