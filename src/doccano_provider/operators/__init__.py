"""Operators of the Doccano provider."""
