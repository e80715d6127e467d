"""Inspection recommendations and accountability (capability C15): inspections, their
recommendations and areas for improvement, the force's actions with their evidence (live
measures among it), the PCC's scrutiny beside the force's status, and the public progress
statement."""
