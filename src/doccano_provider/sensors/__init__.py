"""Sensors of the Doccano provider."""
