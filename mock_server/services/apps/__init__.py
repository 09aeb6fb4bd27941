"""Apps: agent settings, custom menus and the per-app privacy rules."""
