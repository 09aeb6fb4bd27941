"""Contracts: schemas, request validation, OpenAPI, proxy and cassettes (the plugin spec: ``plugin.py``)."""
