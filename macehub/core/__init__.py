"""Mechanics every app shares, owned once: exports, input limits, the rounding of every
figure shown or published (``figures``), the wording of every deadline (``time_left``),
each person's work queue gathered from every app (``work_queue``), concurrent-edit
detection (``versioning``: one ``EditConflict``), reference numbers with the retry on a
number taken meanwhile (``references``), the one way a notification is sent
(``notifications``), the one way a service refuses and a page shows
it (``service_errors``), and (as they move here) registries and code-list labels.

The core sits at the bottom of the layers: it imports Django and the standard library,
never another MACE Hub app."""
