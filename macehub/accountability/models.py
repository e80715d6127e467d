"""The accountability app's records."""
