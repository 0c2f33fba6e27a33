"""``python -m engage`` is the same as the ``engage`` command."""

from engage.cli import main

main()
