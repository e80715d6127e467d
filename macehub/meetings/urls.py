from django.urls import path

from macehub.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("series/new/", views.new_series, name="new_series"),
    path("series/<int:meeting_series_pk>/change/", views.change_series,
         name="change_series"),
    path("new/", views.new_meeting, name="new_meeting"),
    path("actions/", views.my_actions, name="my_actions"),
    path("actions/<int:meeting_action_pk>/", views.action_status, name="action_status"),
    path("<int:meeting_pk>/", views.meeting_detail, name="detail"),
    path("<int:meeting_pk>/change/", views.change_meeting, name="change_meeting"),
    path("<int:meeting_pk>/prepare/", views.prepare_agenda, name="prepare_agenda"),
    path("<int:meeting_pk>/approve/", views.approve_minutes, name="approve_minutes"),
    path("<int:meeting_pk>/items/new/", views.add_item, name="add_item"),
    path("<int:meeting_pk>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("items/<int:agenda_item_pk>/", views.discussion, name="discussion"),
    path("items/<int:agenda_item_pk>/actions/new/", views.add_action, name="add_action"),
    path("items/<int:agenda_item_pk>/drop/", views.drop_item, name="drop_item"),
    path("items/<int:agenda_item_pk>/move/", views.move_item, name="move_item"),
]
