"""The ``modgate`` command line: one parser built from every command module, and the
subcommands a host's modules add (their ``[commands]`` tables)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from .._names import CORE_COMMANDS
from ..exceptions import ModgateError, NotBuiltError
from ._common import default_host, module_commands

__all__ = ["command_module", "main"]


def command_module(command: str) -> ModuleType:
    """The module of ``modgate <command>`` (``cmake-dir`` is ``cmake_dir.py``)."""
    return importlib.import_module(f"{__package__}.{command.replace('-', '_')}")


def _command_hosts() -> list[str]:
    """Whose modules' commands ``modgate`` offers: the host of the project here, then
    modgate's own (its modules' commands are modgate's wherever it runs)."""
    here = default_host()
    return [here] if here == "modgate" else [here, "modgate"]


def _parser() -> argparse.ArgumentParser:
    epilog = None
    added: dict[str, tuple[str, str]] = {}
    unlisted: list[str] = []
    for package in _command_hosts():
        try:  # the commands the host's modules add, when it is installed and built
            for command, owner in module_commands(package, plugins=False).items():
                added.setdefault(command, owner)
        except (ModuleNotFoundError, NotBuiltError):
            continue  # not installed or not built here: it adds no command
        except Exception as exc:  # a broken install or host: the core's commands still run, and it is said
            unlisted.append(f"the commands of {package}'s modules are not listed: {type(exc).__name__}: {exc}")
    if added:
        epilog = "commands added by modules: " + ", ".join(f"{c} ({m})" for c, (m, _) in sorted(added.items()))
    if unlisted:
        epilog = "; ".join([*([epilog] if epilog else []), *unlisted])
    parser = argparse.ArgumentParser(
        prog="modgate", description="Optional-module toggles for host projects.", epilog=epilog
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for command in CORE_COMMANDS:
        command_module(command).populate_parser(sub)
    return parser


def _run_module_command(command: str, rest: list[str]) -> int | None:
    """Run ``modgate <command>`` when a module of the host here adds it; ``None`` when none does."""
    from .. import _loader
    from ..exceptions import ModuleDisabledError, ModuleLoadError, ModuleUnavailableError

    for package in _command_hosts():
        try:
            commands = module_commands(package)
        except (ModgateError, NotBuiltError):
            continue
        if command in commands:
            break
    else:
        return None
    module, target = commands[command]
    try:
        loaded = _loader.host(package).require_for_command(module)
    except (ModuleDisabledError, ModuleUnavailableError, ModuleLoadError) as exc:
        print(f"modgate {command}: a command of module {module!r}, which cannot be used here: {exc}", file=sys.stderr)
        return 2
    where, _, name = target.rpartition(":")
    holder = importlib.import_module(f"{loaded.__name__}.{where}") if where else loaded
    function = getattr(holder, name)
    return int(function(rest))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``modgate`` with ``argv`` (default: the process's arguments); the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if words and not words[0].startswith("-") and words[0] not in CORE_COMMANDS:
            # A module's command (its [commands] table), e.g. `modgate graph` from module graph.
            module_code = _run_module_command(words[0], words[1:])
            if module_code is not None:
                return module_code
        args = _parser().parse_args(words)
        code: int = command_module(args.command).main(args)
        # Here, not at exit: a reader that left (`modgate list | head -1`) is caught below even
        # when the output sat in the buffer (stdout to a pipe is block-buffered).
        sys.stdout.flush()
    except ModgateError as exc:
        text = str(exc)
        print(text if text.startswith("modgate") else f"modgate: {text}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `modgate list | head -1`: the reader left; point stdout at nothing so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code
