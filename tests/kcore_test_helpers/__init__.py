"""Helpers shared by kcore's test modules: fakes, fixtures, checks and the run's backend.

A package with a kcore-specific name, so that it cannot be shadowed by (or shadow) another
top-level ``helpers`` module when several test folders share one pytest process.
"""
