"""The built-in seed inspection, as data files (see README.md in this folder)."""
