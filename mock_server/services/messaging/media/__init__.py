"""Temporary media (素材): uploads kept 3 days that other families look ids up in."""
