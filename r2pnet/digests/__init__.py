"""Weekly (or daily) digests: settings, planning, composing, sending exactly once, unsubscribing."""
