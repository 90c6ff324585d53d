"""Integrity in the window: the check on open (and from the Help menu), and the history of
changes of an agency (Lịch sử thay đổi)."""
