"""What a module's own ``modgate`` subcommand may use of modgate.

A module adds a subcommand with a ``[commands]`` table in its ``module.toml``
(``graph = "cli:main"``): a function that takes the arguments after the command's name and
returns the exit status. This is the whole of modgate it may rely on; everything else is
private and may change. It is the public face of the maintainer commands
(``modgate._cli``), never imported by the runtime.
"""

from ._cli._common import default_host, host_info
from ._cli._dispatch import main
from ._cli.plan import tree_info
from .exceptions import ModgateError

__all__ = ["ModgateError", "default_host", "host_info", "main", "tree_info"]
