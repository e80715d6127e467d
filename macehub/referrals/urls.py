from django.urls import path

from macehub.referrals import views

app_name = "referrals"

urlpatterns = [
    # A referrer's question pages, in order, then the check-your-answers page.
    path("new/", views.start, name="start"),
    path("new/is-this-the-child/", views.choose_child, name="choose_child"),
    path("new/about-the-child/", views.new_child, name="new_child"),
    path("new/home-and-school/", views.home_and_school, name="home_and_school"),
    path("new/family-and-consent/", views.family, name="family"),
    path("new/the-concern/", views.concern, name="concern"),
    path("new/signs-of-exploitation/", views.indicators, name="indicators"),
    path("new/check-your-answers/", views.check, name="check"),
    path("new/cancel/", views.cancel, name="cancel"),
    path("new/sent/", views.confirmation, name="confirmation"),
    # What a referrer sees of their own referrals.
    path("mine/", views.mine, name="mine"),
    path("mine/<int:referral_pk>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:referral_pk>/add-information/", views.add_information,
         name="add_information"),
    # Hub staff.
    path("queue/", views.queue, name="queue"),
    path("<int:referral_pk>/", views.detail, name="detail"),
    path("<int:referral_pk>/decide/", views.decide, name="decide"),
    path("<int:referral_pk>/send-decision-again/", views.resend_decision,
         name="resend_decision"),
    path("<int:referral_pk>/pick-up/", views.pick_up, name="pick_up"),
    path("<int:referral_pk>/take-over/", views.take_over, name="take_over"),
    path("<int:referral_pk>/release/", views.release, name="release"),
    path("<int:referral_pk>/partner-checks/", views.request_checks, name="request_checks"),
    path("<int:referral_pk>/immediate-steps/<str:kind>/", views.immediate_step,
         name="immediate_step"),
    # Imports from partner systems: the partners' mappings, a file, an import's report.
    path("partner-imports/", views.partner_import, name="partner_import"),
    path("partner-imports/<int:import_pk>/", views.partner_import_job,
         name="partner_import_job"),
    path("partner-imports/mappings/", views.partner_mappings, name="partner_mappings"),
    path("partner-imports/mappings/new/", views.partner_mapping, name="partner_mapping_new"),
    path("partner-imports/mappings/<int:mapping_pk>/", views.partner_mapping,
         name="partner_mapping"),
    # A partner agency's hub members: the checks asked of their agency.
    path("partner-checks/", views.partner_checks, name="partner_checks"),
    path("partner-checks/<int:check_pk>/", views.partner_check, name="partner_check"),
]
