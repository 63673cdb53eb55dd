"""Flags, the moderation queue, moderation actions and the moderation log."""
