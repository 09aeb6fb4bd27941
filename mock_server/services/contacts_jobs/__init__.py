"""Contacts at scale: asynchronous import and export jobs, invitations, directory lookups,
linked corps."""
