"""Output builders: turn the rendered manuscript into print-ready files."""
