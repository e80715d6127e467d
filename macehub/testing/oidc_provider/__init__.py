"""A real OpenID Connect provider for the single sign-on tests: django-oidc-provider in a
tiny Django project of its own, run in a second process (``serve``) with its own SQLite
database, issuing ID tokens signed with its own RSA key that the hub checks against the
provider's published keys. Its people and their claims (organisation, groups, ``amr``)
come from a JSON file the test writes. Nothing here is part of the hub."""
