"""Compilation of graphs into one jitted XLA computation (see function.py)."""
