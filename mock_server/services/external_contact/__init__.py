"""Customer contact (客户联系 / 外部联系人): customers, follow users, corp tags, customer groups.

The plugin spec: ``plugin.py``.
"""
