"""The dispatcher's source catalog as an editable object: edits, checks, history, files, and how
the dispatcher reads it back as ``selected_catalog``."""
