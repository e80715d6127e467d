"""Load the courses a hub starts with, and who must take each, from
``training/data/courses.csv`` (courses already there, by code, are left as they are)."""

from typing import Any

from django.db import migrations


def load_courses(apps: Any, schema_editor: Any) -> None:
    from macehub.training.catalogue import load_courses as load

    load(apps.get_model("training", "Course"), apps.get_model("training", "CourseRequirement"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_courses_and_records")]

    operations = [migrations.RunPython(load_courses, migrations.RunPython.noop)]
