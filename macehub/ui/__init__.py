"""The GOV.UK Design System and MOJ Frontend components, drawn once: the component
templates (``templates/components/``), the ``govuk`` template tags that work out what they
show, the one ``code_tag`` that draws any code-list value as a tag, and the GOV.UK wording of
dates and times (``formatting``).

The ui sits at the bottom of the layers beside the core: it imports Django, the core and
the shared form fields (``macehub.forms``), never another MACE Hub app."""
