"""bookbuild: one structured manuscript, printed booklet, handout, EPUB and web edition."""

__version__ = "0.1.0"
