"""Workforce training (capability C9): the tiered courses, who must take each, every
person's training records and compliance by role, team and agency, and the warning when
someone without the required training is given specialist work."""
