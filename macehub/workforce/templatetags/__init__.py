"""The workforce app's template filters."""
