"""Rendering: the book view, text to HTML, layouts, figures, and the locale's rules."""
