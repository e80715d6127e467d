from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "macehub.referrals"
    label = "referrals"
