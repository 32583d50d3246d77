"""``python -m postprod`` runs the command line."""

from postprod.cli import main

main()
