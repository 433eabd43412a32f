"""python -m compiler."""

from compiler.entry import main

main()
