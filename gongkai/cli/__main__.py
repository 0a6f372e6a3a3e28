"""``python -m gongkai.cli``: the ``gongkai`` command."""

from gongkai.cli import main

main()
