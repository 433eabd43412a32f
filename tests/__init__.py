"""Tests of nifty."""
