"""Pure-Python heart of microapp: no Qt, no database, no OS edges.

Everything here is importable and testable without a display.
"""
