"""The workforce app's records."""
