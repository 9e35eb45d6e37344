"""Built-in provider backends, each a plug-in of the core registered by entry point."""
