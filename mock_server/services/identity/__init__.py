"""Identity: OAuth2 web login, QR-code (SSO) login, user tickets and JS-SDK tickets."""
