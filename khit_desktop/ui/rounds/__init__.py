"""Dialogs of a round (kỳ đánh giá): its rules, and creating a new year."""
