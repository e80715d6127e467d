"""Information governance's models, each kept in the module of its concern and
gathered here for Django."""

from macehub.governance.sharing import SharingAgreement

__all__ = ["SharingAgreement"]
