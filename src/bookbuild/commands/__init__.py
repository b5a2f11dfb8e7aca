"""One module per command; the CLI only parses arguments and calls these."""
