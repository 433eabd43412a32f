"""The tree in memory and on disk: generated docs, atomic write, record of the last compile."""
