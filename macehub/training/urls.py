"""The training app's pages, under ``/training/``."""

from django.urls import path

from macehub.training import views

app_name = "training"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("expiring/", views.expiring, name="expiring"),
    path("mine/", views.mine, name="mine"),
    path("people/<int:user_pk>/", views.person, name="person"),
    path("people/<int:user_pk>/record/", views.record_training, name="record_training"),
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.add_course, name="add_course"),
    path("courses/<int:course_pk>/", views.course, name="course"),
    path("courses/<int:course_pk>/change/", views.change_course, name="change_course"),
    path("courses/<int:course_pk>/who/", views.add_requirement, name="add_requirement"),
    path("course-rules/<int:requirement_pk>/remove/", views.remove_requirement,
         name="remove_requirement"),
    path("import/", views.import_records, name="import"),
]
