"""What a change does: object diff, its reports, trees read at a git revision."""
