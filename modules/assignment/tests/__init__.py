"""Tests of the assignment plugin."""
