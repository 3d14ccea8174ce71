"""``python -m bot`` is the same as the ``newsbot`` command."""

from bot.cli import main

main()
