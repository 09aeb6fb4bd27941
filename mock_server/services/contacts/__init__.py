"""Contacts (通讯录): departments, members, tags (the plugin spec: ``plugin.py``)."""
