"""Triggers of the Doccano provider."""
