"""The HTTP face: the Flask/WSGI app, the /__admin mount and the waitress server."""
