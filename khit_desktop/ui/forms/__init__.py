"""Excel exchange from the window: blank forms out, filled forms in, criteria sets."""
