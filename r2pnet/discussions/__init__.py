"""Regional discussion spaces: threads, posts, follows, read state and mentions."""
