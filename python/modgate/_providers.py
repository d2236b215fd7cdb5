"""The run-time choice of a capability's provider (``policy = "any"`` in the host's
``[tool.modgate.capabilities]``): every provider is built and installed side by side, and
the first lookup of the capability (``find_function("blas.gemm")`` in C++,
``modgate.native.lookup``, ``<host>.provider("blas")``) picks one, once per process.

The order: what ``MODGATE_PREFER`` forces (``blas:openblas``: that one, and no other),
then the host's ``prefer`` list, then each provider's ``priority`` (higher first), then
the name. The first provider in that order that is usable wins: installed, not turned off,
its Python package imported, its libraries loaded, and its probe (if it has one) scoring
above 0. A provider that fails to load is passed over with a warning; none usable is one
error listing each and why. The choice maps the capability's name to the provider in the
native registry, so C++ and Python see the same one.
"""

from __future__ import annotations

import os
from _thread import RLock  # not threading, nor typing: a first choice in a bare venv would pay 5 ms

from ._manifest import capability_entry
from ._nearest import ranked
from .exceptions import ModuleLoadError, ModuleLoadWarning, ModuleUnavailableError, _warn_once

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    Host = Any  # a modgate._loader.Host (not imported: the loader imports this module)

__all__ = ["PREFER_VARIABLE", "Candidate", "Choice", "choose", "providers"]

PREFER_VARIABLE = "MODGATE_PREFER"

# Held while choosing, so that the choice and each probe happen once per process; the
# providers' imports run under it. A provider whose import or probe asks for its own
# capability gets an error from the same thread (_choosing), and must not from another.
_lock = RLock()
_choices: dict[tuple[str, str], Choice] = {}
_choosing: set[tuple[str, str]] = set()
_scores: dict[tuple[str, str], int] = {}


class Candidate:
    """One provider as the choice saw it: its rank, its probe's score (``None``: no probe,
    or not asked), and why it was taken or passed over. (No dataclass: importing
    :mod:`dataclasses` would cost a first lookup 5 ms.)"""

    __slots__ = ("name", "priority", "reason", "score", "usable")

    def __init__(self, name: str, priority: int, score: int | None, usable: bool, reason: str) -> None:
        self.name, self.priority, self.score, self.usable, self.reason = name, priority, score, usable, reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "priority": self.priority,
            "score": self.score,
            "usable": self.usable,
            "reason": self.reason,
        }


class Choice:
    """The provider of ``capability`` this process uses (``None``: none is usable, and
    ``reason`` lists each and why), why, and every provider in the order they were considered."""

    __slots__ = ("candidates", "capability", "chosen", "reason")

    def __init__(self, capability: str, chosen: str | None, reason: str, candidates: tuple[Candidate, ...]) -> None:
        self.capability, self.chosen, self.reason, self.candidates = capability, chosen, reason, candidates

    def as_dict(self) -> dict[str, Any]:
        """What ``info()`` shows under the capability."""
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "candidates": [candidate.as_dict() for candidate in self.candidates],
        }


def providers(host: Host, capability: str, *, plugins: bool = True) -> list[str]:
    """The modules providing ``capability`` that this build (and, with ``plugins``, an
    installed plugin) has, built ON (whether installed or not)."""
    entry = capability_entry(host.package, capability) or {}
    names = set(entry.get("providers", ()))
    if plugins:  # every installed distribution's entry points are read: the costly part of a choice
        names |= {name for name, record in host._plugins()[0].items() if record.entry.get("provides") == capability}
    found = []
    for name in sorted(names):
        record = host.record(name)
        if record is not None and record.error is None and record.entry.get("state") == "ON":
            found.append(name)
    return found


def _prefer_entries(package: str, capability: str, known: list[str], warn: bool = True) -> tuple[str | None, set[str]]:
    """What ``MODGATE_PREFER`` says of ``capability``: the provider it forces (or ``None``)
    and those it excludes. A provider name it does not know is a warning naming the known
    (without ``warn``, a :class:`LookupError`: the caller looks further)."""
    forced, excluded = None, set()
    for raw in os.environ.get(PREFER_VARIABLE, "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        cap, sep, name = entry.partition(":")
        if (not sep or not name.lstrip("-")) and warn:
            message = (
                f"modgate: {PREFER_VARIABLE} entry {entry!r} is not <capability>:<provider> or <capability>:-<provider>"
            )
            _warn_once(f"prefer:{entry}", message, ModuleLoadWarning, stacklevel=5)
            continue
        if not sep or cap.strip() != capability:
            continue
        bare = name.strip().lstrip("-")
        if bare not in known and not warn:
            raise LookupError(bare)
        if bare not in known:
            nearest = ", ".join(ranked(bare, known)) or "none"
            message = (
                f"modgate: {PREFER_VARIABLE} names {bare!r} for {package}'s capability {capability!r}, which no"
                f" provider of this build is; its providers, nearest first: {nearest}"
            )
            _warn_once(f"prefer:{package}:{entry}", message, ModuleLoadWarning, stacklevel=5)
            continue
        if name.strip().startswith("-"):
            excluded.add(bare)
        else:
            forced = bare
    return forced, excluded


def _order(host: Host, capability: str, names: list[str], warn: bool = True) -> tuple[list[str], str | None, set[str]]:
    """``names`` in the order they are tried, the provider ``MODGATE_PREFER`` forces and
    those it excludes (``warn``: see :func:`_prefer_entries`)."""
    entry = capability_entry(host.package, capability) or {}
    prefer = [name for name in entry.get("prefer", ()) if name in names]
    forced, excluded = _prefer_entries(host.package, capability, names, warn)

    def rank(name: str) -> tuple[int, int, int, str]:
        return (name != forced, prefer.index(name) if name in prefer else len(prefer), -_priority(host, name), name)

    return sorted(names, key=rank), forced, excluded


def _score(host: Host, name: str, probe: str) -> int:
    """The probe's answer, asked once per process: ``function`` or ``submodule:function`` of
    the provider's Python package, else its native function ``<name>.<function>``."""
    key = (host.package, name)
    if key in _scores:
        return _scores[key]
    import importlib

    submodule, _, function = probe.rpartition(":")
    module = host.require(name)
    if submodule:
        module = importlib.import_module(f"{module.__name__}.{submodule}")
    call = getattr(module, function, None)
    if call is None and not submodule:
        call = host.lookup(f"{name}.{function}")
    if call is None:
        raise LookupError(
            f"its probe {probe!r} is neither a function of {module.__name__} nor a native {name}.{function}"
        )
    score = call()
    if not isinstance(score, int) or isinstance(score, bool):
        raise TypeError(f"its probe {probe!r} returned {score!r}, not a whole number")
    _scores[key] = score
    return score


def _priority(host: Host, name: str) -> int:
    """Provider ``name``'s ``priority`` (its registration's; 0 when it sets none)."""
    record = host.record(name)
    return int(record.entry.get("priority", 0)) if record is not None else 0


def _try(host: Host, name: str) -> Candidate:
    """Whether ``name`` can serve here, and why (loading it: import, libraries, probe)."""
    record = host.record(name)
    assert record is not None
    priority = _priority(host, name)
    try:
        host.check(name)
    except ModuleLoadError as exc:  # a broken install, or a wheel of another version or build
        message = f"modgate: provider {name!r} of {host.package} was passed over: {exc}"
        _warn_once(f"provider:{host.package}:{name}", message, ModuleLoadWarning, stacklevel=6)
        return Candidate(name, priority, None, False, str(exc))
    except ImportError as exc:  # not built, not installed, turned off: the user's choice, said in the reason
        return Candidate(name, priority, None, False, str(exc))
    try:
        host.require(name)
        host.load(name)
        probe = record.entry.get("probe")
        score = _score(host, name, probe) if probe else None
    except Exception as exc:  # a provider that cannot load here is passed over, not fatal
        why = f"{type(exc).__name__}: {exc}"
        message = f"modgate: provider {name!r} of {host.package} was passed over: {why}"
        _warn_once(f"provider:{host.package}:{name}", message, ModuleLoadWarning, stacklevel=6)
        return Candidate(name, priority, None, False, f"failed to load: {why}")
    if score is not None and score <= 0:
        return Candidate(name, priority, score, False, f"its probe scores {score} on this machine")
    shown = f" (probe: {score})" if score is not None else ""
    return Candidate(name, priority, score, True, f"usable{shown}")


def choose(host: Host, capability: str, *, survey: bool = False) -> Choice:
    """The provider of ``capability`` this process uses, chosen on the first call (none
    usable: ``chosen`` is ``None``, and asking again tries again). With
    ``survey``, every provider is tried (loaded and probed) so that each one's state is
    known: what ``info()`` shows."""
    key = (host.package, capability)
    with _lock:
        made = _choices.get(key)
        if made is not None and (not survey or all(c.reason != "not tried" for c in made.candidates)):
            return made  # a survey after a choice tries the others too; the choice stays
        if key in _choosing:
            raise ModuleUnavailableError(
                f"{host.package}'s capability {capability!r} was asked for while its provider was being"
                " chosen (a provider's import or probe asked for its own capability)",
                module=capability,
                fullname=f"{host.prefix}{capability}",
                requirement="",
            )
        _choosing.add(key)
        try:
            choice = _choose(host, capability, survey, made)
        finally:
            _choosing.discard(key)
        if choice.chosen is not None:
            _choices[key] = choice
        return choice


def _choose(host: Host, capability: str, survey: bool, made: Choice | None) -> Choice:
    tried: dict[str, Candidate] = {}
    if not survey and made is None:
        # A plugin's provider ranks after the host's prefer list (the host cannot name it
        # there), so a usable provider from that list, or the one MODGATE_PREFER forces,
        # is chosen without reading every installed distribution's entry points.
        own = providers(host, capability, plugins=False)
        try:
            order, forced, excluded = _order(host, capability, own, warn=False)
        except LookupError:  # MODGATE_PREFER names a provider this build lacks: a plugin's, perhaps
            order, forced, excluded = [], None, set()
        entry = capability_entry(host.package, capability) or {}
        first = [forced] if forced is not None else [n for n in order if n in entry.get("prefer", ())]
        for name in first:
            if name in excluded:
                continue
            tried[name] = _try(host, name)
            if tried[name].usable or name == forced:
                return _made(host, capability, order, forced, excluded, tried, None, survey)
    names = providers(host, capability)
    order, forced, excluded = _order(host, capability, names)
    return _made(host, capability, order, forced, excluded, tried, made, survey)


def _made(
    host: Host,
    capability: str,
    order: list[str],
    forced: str | None,
    excluded: set[str],
    tried: dict[str, Candidate],
    made: Choice | None,
    survey: bool,
) -> Choice:
    """The choice over ``order``: each provider tried in turn (``tried``: those already
    were) until one is usable (every one, with ``survey``)."""
    chosen = made.chosen if made is not None else None
    candidates: list[Candidate] = []
    for name in order:
        priority = _priority(host, name)
        if name in excluded:
            candidates.append(Candidate(name, priority, None, False, f"excluded by {PREFER_VARIABLE}"))
        elif forced is not None and name != forced:
            candidates.append(Candidate(name, priority, None, False, f"{PREFER_VARIABLE} forces {forced!r}"))
        elif chosen is not None and not survey:
            candidates.append(Candidate(name, priority, None, False, "not tried"))
        else:
            candidate = tried.get(name) or _try(host, name)
            candidates.append(candidate)
            if candidate.usable and chosen is None:
                chosen = name
    if chosen is None:
        listed = "; ".join(f"{c.name}: {c.reason}" for c in candidates) or "this build has none"
        why = f"{host.package}'s capability {capability!r} has no usable provider ({listed})"
        return Choice(capability, None, why, tuple(candidates))
    if chosen == forced:
        why = f"{PREFER_VARIABLE} forces it"
    else:
        why = f"the first usable in the order {', '.join(order)} (prefer, then priority)"
    if made is None and host._native_usable(chosen) is not None:
        from . import _core

        _core.alias_module(f"{host.package}:{capability}", f"{host.package}:{chosen}")
    return Choice(capability, chosen, why, tuple(candidates))
