"""Pressure-Sense: measure how language models behave under conversational pressure."""

__version__ = "0.1.0"
