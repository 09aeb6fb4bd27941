"""Contracts: schemas, validation, OpenAPI (filled in by its issue)."""
