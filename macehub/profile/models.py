"""The problem profile's records: what an analyst drafts and publishes (C11)."""
