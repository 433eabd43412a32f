"""The checks of the user's system: they run on the working spec/ (and every example) and pass on any
valid spec, whatever it holds. The compiler's own tests, in tests/, run on fixtures kept there."""
