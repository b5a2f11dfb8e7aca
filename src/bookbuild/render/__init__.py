"""Rendering helpers: Hungarian collation, hyphenation and typography."""
