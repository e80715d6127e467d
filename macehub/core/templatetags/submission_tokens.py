"""The hub's ``{% csrf_token %}`` (a template builtin, so it replaces Django's in every
template): Django's hidden CSRF field and, beside it, a fresh one-time submission token
(``macehub.core.submissions``). Every form sent by POST carries a CSRF token, so every
one carries a submission token too, drawn once per drawing of the form."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString

from macehub.core.submissions import FIELD, new_token

register = template.Library()


class CsrfAndSubmissionTokenNode(CsrfTokenNode):
    def render(self, context: template.Context) -> SafeString:
        csrf = format_html("{}", super().render(context))
        if not csrf:  # drawn outside a request (an e-mail, a document): no form to send
            return csrf
        return format_html('{}<input type="hidden" name="{}" value="{}">', csrf, FIELD,
                           new_token())


@register.tag
def csrf_token(parser: Parser, token: Token) -> CsrfAndSubmissionTokenNode:
    return CsrfAndSubmissionTokenNode()
