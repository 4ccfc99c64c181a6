"""One module per channel; each translates, none decides."""
