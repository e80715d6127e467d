"""The training app's records."""
