"""The ``modgate`` command: a maintainer's commands, one module each.

Each command module has ``populate_parser(subparsers)`` and ``main(args) -> int``;
:mod:`.dispatch` builds the parser from :data:`modgate._names.CORE_COMMANDS` (the one
list of command names) and runs the command asked for. Imports run one way: these
modules use the runtime (``modgate``) and the configure step (``modgate._configure``);
neither ever imports them. What a module's own command may use is :mod:`modgate.cli`.
"""

from ._dispatch import main

__all__ = ["main"]
