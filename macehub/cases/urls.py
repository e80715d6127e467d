from django.urls import path

from macehub.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("risk-reviews/", views.risk_reviews, name="risk_reviews"),
    path("missing-episodes/", views.missing_episode_list, name="missing_episode_list"),
    # Sections of a case
    path("<int:case_pk>/", views.detail, name="detail"),
    path("<int:case_pk>/chronology/", views.chronology, name="chronology"),
    path("<int:case_pk>/plan/", views.plan, name="plan"),
    path("<int:case_pk>/contacts/", views.contacts, name="contacts"),
    path("<int:case_pk>/missing-episodes/", views.missing, name="missing"),
    path("<int:case_pk>/outcomes/", views.outcomes, name="outcomes"),
    path("<int:case_pk>/workers/", views.workers, name="workers"),
    # Restricted cases; who has seen a case
    path("<int:case_pk>/open/", views.open_restricted, name="open_restricted"),
    path("<int:case_pk>/access-log/", views.access_log, name="access_log"),
    # The case itself
    path("<int:case_pk>/risk-tier/", views.change_tier, name="change_tier"),
    path("<int:case_pk>/referrals-joined/<int:joined_pk>/keep-tier/", views.keep_tier,
         name="keep_tier"),
    path("<int:case_pk>/exploitation-types/", views.change_exploitation_types,
         name="change_exploitation_types"),
    path("<int:case_pk>/key-worker/", views.change_key_worker, name="change_key_worker"),
    path("<int:case_pk>/lead-agency/", views.change_lead_agency, name="change_lead_agency"),
    path("<int:case_pk>/restriction/", views.restrict, name="restrict"),
    path("<int:case_pk>/close/", views.close, name="close"),
    # Requests for approval (closing, lowering the tier, lifting the restriction)
    path("decisions/<int:decision_pk>/", views.decide, name="decide"),
    # Workers, advocates, sharing
    path("<int:case_pk>/workers/allocate/", views.allocate, name="allocate"),
    path("<int:case_pk>/workers/<int:allocation_pk>/remove/", views.unallocate,
         name="unallocate"),
    path("<int:case_pk>/shares/new/", views.share, name="share"),
    path("<int:case_pk>/shares/<int:share_pk>/remove/", views.unshare, name="unshare"),
    path("<int:case_pk>/advocate/", views.change_advocate, name="change_advocate"),
    path("<int:case_pk>/advocate/end/", views.end_advocacy, name="end_advocacy"),
    # Recording work
    path("<int:case_pk>/plan/new/", views.add_plan_item, name="add_plan_item"),
    path("<int:case_pk>/plan/<int:plan_item_pk>/", views.edit_plan_item, name="edit_plan_item"),
    path("<int:case_pk>/plan/<int:plan_item_pk>/finish/", views.complete_plan_item,
         name="complete_plan_item"),
    path("<int:case_pk>/contacts/new/", views.add_contact, name="add_contact"),
    path("<int:case_pk>/missing-episodes/new/", views.add_missing_episode,
         name="add_missing_episode"),
    path("<int:case_pk>/missing-episodes/<int:episode_pk>/", views.edit_missing_episode,
         name="edit_missing_episode"),
    path("<int:case_pk>/outcomes/new/", views.add_outcome, name="add_outcome"),
    # A child's missing episodes, with or without a case (from their person page)
    path("children/<int:person_pk>/missing-episodes/new/", views.child_add_missing_episode,
         name="child_add_missing_episode"),
    path("children/<int:person_pk>/missing-episodes/<int:episode_pk>/",
         views.child_edit_missing_episode, name="child_edit_missing_episode"),
    path("<int:case_pk>/nrm-referrals/new/", views.add_nrm_referral, name="add_nrm_referral"),
    path("<int:case_pk>/nrm-referrals/<int:nrm_pk>/", views.edit_nrm_referral,
         name="edit_nrm_referral"),
    # Risk assessments
    path("<int:case_pk>/risk-assessments/", views.risk_assessments, name="risk_assessments"),
    path("<int:case_pk>/risk-assessments/new/", views.add_risk_assessment,
         name="add_risk_assessment"),
]
