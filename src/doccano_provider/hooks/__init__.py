"""Hooks of the Doccano provider."""
