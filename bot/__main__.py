"""``python -m bot`` runs the command line (the same as the ``wenjiao`` script)."""

from bot.cli import main

main()
