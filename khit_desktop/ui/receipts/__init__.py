"""The receipt register screen (Tiếp nhận) and its dialogs."""
