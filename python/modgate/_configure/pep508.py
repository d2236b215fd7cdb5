"""Validation of PEP 508 requirements and PEP 440 versions, standard library only.

The configure step must run before anything is installed, so ``packaging`` is not
available; this is a validator (it says *what* is wrong), not a full evaluator.
"""

from __future__ import annotations

import re

__all__ = ["check_requirement", "check_version", "release_tuple"]

# The canonical PEP 440 pattern (PEP 440, appendix B).
_PEP440 = re.compile(
    r"""^\s*v?
    (?:(?:[0-9]+)!)?                                  # epoch
    [0-9]+(?:\.[0-9]+)*                               # release
    (?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?   # pre
    (?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?         # post
    (?:[-_.]?dev[-_.]?[0-9]*)?                        # dev
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?               # local
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_OPS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")
_MARKER_VARS = frozenset(
    {
        "python_version",
        "python_full_version",
        "os_name",
        "sys_platform",
        "platform_release",
        "platform_system",
        "platform_version",
        "platform_machine",
        "platform_python_implementation",
        "implementation_name",
        "implementation_version",
        "extra",
        "dependency_groups",
        "extras",
    }
)


def check_version(text: str) -> str | None:
    """``None`` when ``text`` is a valid PEP 440 version, else what is wrong."""
    if _PEP440.match(text) and text.strip() == text and text:
        return None
    return f"{text!r} is not a PEP 440 version (examples: '1.4', '2.0.1', '3.0rc1')"


def release_tuple(text: str) -> tuple[int, ...]:
    """The release segment of a valid version, for ordering ``since`` and ``removal``."""
    body = text.strip().lstrip("vV").split("!")[-1]
    match = re.match(r"[0-9]+(?:\.[0-9]+)*", body)
    assert match is not None, text
    parts = [int(p) for p in match.group(0).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


class _Error(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def expect(self, token: str, what: str) -> None:
        self.ws()
        if not self.peek(token):
            raise _Error(f"expected {what} at position {self.pos + 1}{self._near()}")
        self.pos += len(token)

    def _near(self) -> str:
        rest = self.text[self.pos : self.pos + 12]
        return f" (near {rest!r})" if rest else " (at the end)"

    def name(self, what: str) -> str:
        self.ws()
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise _Error(f"expected {what} at position {self.pos + 1}{self._near()}")
        self.pos = match.end()
        return match.group(0)

    # requirement := name extras? (urlspec | versionspec)? marker?
    def requirement(self) -> None:
        self.name("a distribution name")
        self.ws()
        if self.peek("["):
            self.pos += 1
            self.ws()
            if not self.peek("]"):
                self.name("an extra name")
                self.ws()
                while self.peek(","):
                    self.pos += 1
                    self.name("an extra name")
                    self.ws()
            self.expect("]", "']' closing the extras")
        self.ws()
        if self.peek("@"):
            self.pos += 1
            self.ws()
            start = self.pos
            while self.pos < len(self.text) and not self.text[self.pos].isspace():
                self.pos += 1
            url = self.text[start : self.pos]
            if "://" not in url and not url.startswith("file:"):
                raise _Error(f"{url!r} after '@' is not a URL")
            self.ws()
            if not self.at_end() and not self.peek(";"):
                raise _Error("a URL requirement must be followed by a space and ';' before a marker")
        elif self.peek("("):
            self.pos += 1
            self.versions()
            self.expect(")", "')' closing the version list")
        elif any(self.peek(op) for op in _OPS):
            self.versions()
        self.ws()
        if self.peek(";"):
            self.pos += 1
            self.marker_or()
            self.ws()
        if not self.at_end():
            raise _Error(f"unexpected text at position {self.pos + 1}{self._near()}")

    def versions(self) -> None:
        self.version_one()
        self.ws()
        while self.peek(","):
            self.pos += 1
            self.version_one()
            self.ws()

    def version_one(self) -> None:
        self.ws()
        op = next((o for o in _OPS if self.peek(o)), None)
        if op is None:
            raise _Error(f"expected a version operator ({', '.join(_OPS)}) at position {self.pos + 1}{self._near()}")
        self.pos += len(op)
        self.ws()
        match = re.compile(r"[^\s,;)]+").match(self.text, self.pos)
        if not match:
            raise _Error(f"expected a version after {op!r} at position {self.pos + 1}")
        version = match.group(0)
        self.pos = match.end()
        if op == "===":
            return
        check = version[:-2] if op in ("==", "!=") and version.endswith(".*") else version
        if check_version(check) is not None:
            raise _Error(f"{version!r} after {op!r} is not a PEP 440 version")
        if op == "~=" and "." not in check.split("+")[0]:
            raise _Error(f"'~={version}' needs at least two release parts, such as '~={version}.0'")

    def marker_or(self) -> None:
        self.marker_and()
        while self.keyword("or"):
            self.marker_and()

    def marker_and(self) -> None:
        self.marker_atom()
        while self.keyword("and"):
            self.marker_atom()

    def keyword(self, word: str) -> bool:
        self.ws()
        if re.compile(rf"{word}(?![A-Za-z0-9_])").match(self.text, self.pos):
            self.pos += len(word)
            return True
        return False

    def marker_atom(self) -> None:
        self.ws()
        if self.peek("("):
            self.pos += 1
            self.marker_or()
            self.expect(")", "')' closing the marker group")
            return
        self.marker_var()
        self.ws()
        if self.keyword("in"):
            pass
        elif self.keyword("not"):
            if not self.keyword("in"):
                raise _Error(f"expected 'in' after 'not' at position {self.pos + 1}")
        else:
            op = next((o for o in _OPS if self.peek(o)), None)
            if op is None or op == "===":
                raise _Error(f"expected a marker operator at position {self.pos + 1}{self._near()}")
            self.pos += len(op)
        self.marker_var()

    def marker_var(self) -> None:
        self.ws()
        if self.peek("'") or self.peek('"'):
            quote = self.text[self.pos]
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise _Error(f"unterminated string in the marker at position {self.pos + 1}")
            self.pos = end + 1
            return
        match = re.compile(r"[A-Za-z_.]+").match(self.text, self.pos)
        word = match.group(0) if match else ""
        if word.replace(".", "_") not in _MARKER_VARS:
            raise _Error(
                f"expected a marker variable (such as python_version or sys_platform) or a quoted string"
                f" at position {self.pos + 1}{self._near()}"
            )
        self.pos += len(word)


def check_requirement(text: str) -> str | None:
    """``None`` when ``text`` is a valid PEP 508 requirement, else what is wrong."""
    if not text.strip():
        return "the requirement is empty"
    try:
        _Parser(text).requirement()
    except _Error as exc:
        return f"{text!r} is not a PEP 508 requirement: {exc}"
    return None
