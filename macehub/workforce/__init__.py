"""Capacity against demand (capability C9): teams' establishment and posts by month, each
worker's live caseload, the hub's demand with its forecast, and the resourcing evidence
report for the Police and Crime Commissioner."""
