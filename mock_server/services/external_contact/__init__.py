"""Customer contact (外部联系人) (filled in by its issue)."""
