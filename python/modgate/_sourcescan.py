"""Finding ``#include`` lines in C/C++ and imports in Python source.

The isolation checks need this. An optional native module may register faster
implementations in the runtime registry as ``scan.includes`` and ``scan.imports``;
:func:`includes` and :func:`imports` use them by name when they are there and fall back
to the pure-Python versions here otherwise. Both implementations follow the same
rules, and the test suite checks that they agree on random input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["imports", "imports_py", "includes", "includes_py"]

Include = tuple[int, str, bool]  # line, target, angled (<...>)
Import = tuple[int, str, str]  # line, module (leading dots for relative), imported name or ""

_WS = " \t\r\f\v"
_KEYWORD_HEADERS = {"if", "elif", "else", "try", "except", "finally", "with", "for", "while", "def", "class", "async"}


def _ident(ch: str) -> bool:
    return (ch.isascii() and (ch.isalnum() or ch == "_")) or ord(ch) >= 0x80


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Skip a C/C++ string or char literal starting at ``text[i]``; returns (index after, line)."""
    n = len(text)
    quote = text[i]
    if quote == '"':
        start = i
        while start > 0 and _ident(text[start - 1]):
            start -= 1
        if text[start:i] in ("R", "uR", "UR", "LR", "u8R"):
            open_paren = text.find("(", i + 1, i + 18)
            delim = text[i + 1 : open_paren] if open_paren >= 0 else None
            if delim is not None and delim.isascii() and not any(c in delim for c in ' ()\\\t\n"'):
                end = text.find(")" + delim + '"', open_paren + 1)
                stop = n if end < 0 else end + len(delim) + 2
                return stop, line + text.count("\n", i, stop)
    j = i + 1
    while j < n and text[j] != quote:
        if text[j] == "\\":
            if j + 1 < n and text[j + 1] == "\n":
                line += 1
            j += 2
        elif text[j] == "\n":
            return j, line
        else:
            j += 1
    return (j + 1 if j < n else n), line


def includes_py(text: str) -> list[Include]:
    """Every ``#include``/``#include_next``/``#import`` with a literal target, in order."""
    found: list[Include] = []
    n = len(text)
    i = 0
    line = 1
    at_line_start = True
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\n":
            line += 1
            at_line_start = True
            i += 1
        elif ch in _WS:
            i += 1
        elif ch == "/" and nxt == "/":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            stop = n if end < 0 else end + 2
            line += text.count("\n", i, stop)
            i = stop
        elif ch == "#" and at_line_start:
            j = i + 1
            while j < n and text[j] in " \t":
                j += 1
            k = j
            while k < n and _ident(text[k]):
                k += 1
            if text[j:k] in ("include", "include_next", "import"):
                while k < n and text[k] in " \t":
                    k += 1
                if k < n and text[k] in '<"':
                    close = ">" if text[k] == "<" else '"'
                    end = k + 1
                    while end < n and text[end] not in (close, "\n"):
                        end += 1
                    if end < n and text[end] == close:
                        found.append((line, text[k + 1 : end], close == ">"))
            # The rest of the directive, with its backslash continuations.
            while True:
                end = text.find("\n", i)
                if end < 0:
                    i = n
                    break
                if end > 0 and text[end - 1] == "\\":
                    line += 1
                    i = end + 1
                    continue
                i = end
                break
            at_line_start = False
        elif ch in "\"'":
            i, line = _skip_string(text, i, line)
            at_line_start = False
        else:
            at_line_start = False
            i += 1
    return found


def _statements(text: str) -> list[tuple[int, str]]:
    """Python logical statements with strings blanked and comments dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    depth = 0
    line = 1
    n = len(text)
    i = 0

    def flush() -> None:
        if buf:
            out.append((start, "".join(buf).rstrip(_WS)))
            buf.clear()

    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            if not buf:
                start = line
            triple = text[i : i + 3] == ch * 3
            j = i + (3 if triple else 1)
            while j < n:
                c = text[j]
                if c == "\\":
                    if j + 1 < n and text[j + 1] == "\n":
                        line += 1
                    j += 2
                    continue
                if triple and text[j : j + 3] == ch * 3:
                    j += 3
                    break
                if not triple and c == ch:
                    j += 1
                    break
                if c == "\n":
                    if not triple:
                        break
                    line += 1
                j += 1
            i = min(j, n)
            buf.append('""')
        elif ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            line += 1
            i += 2
            if buf:
                buf.append(" ")
        elif ch == "\n":
            line += 1
            i += 1
            if depth == 0:
                flush()
            elif buf:
                buf.append(" ")
        elif ch == ";" and depth == 0:
            flush()
            i += 1
        elif ch in _WS and not buf:
            i += 1
        else:
            if not buf:
                start = line
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(0, depth - 1)
            buf.append(ch)
            i += 1
    flush()
    return out


def _first_word(stmt: str) -> str:
    k = 0
    while k < len(stmt) and _ident(stmt[k]):
        k += 1
    return stmt[:k]


def _after_header(stmt: str) -> str | None:
    """The statement after a compound header's ':' (``if x: import y``), else None."""
    depth = 0
    for k, ch in enumerate(stmt):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0:
            return stmt[k + 1 :].lstrip(_WS)
    return None


def _dotted(text: str) -> bool:
    parts = text.split(".")
    return all(p and p[0] not in "0123456789" and all(_ident(c) for c in p) for p in parts)


def _names(text: str) -> list[str]:
    """``a as b, c`` -> [a, c] (names that are not dotted identifiers are dropped)."""
    names = []
    for item in text.split(","):
        words = _split_ws(item)
        if words and _dotted(words[0]):
            names.append(words[0])
    return names


def _split_ws(text: str) -> list[str]:
    words: list[str] = []
    current = ""
    for ch in text:
        if ch in _WS:
            if current:
                words.append(current)
            current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words


def imports_py(text: str) -> list[Import]:
    """Every ``import`` and ``from ... import`` statement, as (line, module, name)."""
    found: list[Import] = []
    for line, raw in _statements(text):
        stmt: str | None = raw
        while stmt is not None and _first_word(stmt) in _KEYWORD_HEADERS:
            stmt = _after_header(stmt)
        if not stmt:
            continue
        word = _first_word(stmt)
        rest = stmt[len(word) :]
        if word == "import" and rest[:1] in _WS:
            found.extend((line, name, "") for name in _names(rest))
        elif word == "from" and rest[:1] in _WS:
            k = 0
            rest = rest.lstrip(_WS)
            while k < len(rest) and rest[k] == ".":
                k += 1
            dots = rest[:k]
            tail = rest[k:].lstrip(_WS)
            module_end = 0
            while module_end < len(tail) and (_ident(tail[module_end]) or tail[module_end] == "."):
                module_end += 1
            module = tail[:module_end]
            after = tail[module_end:]
            if module == "import" and dots:  # from .import x
                module, after = "", "import" + after
            if (module and not _dotted(module)) or not (dots or module):
                continue
            after = after.lstrip(_WS)
            if not after.startswith("import") or (len(after) > 6 and _ident(after[6])):
                continue
            names = after[6:].strip(_WS).strip("()").strip(_WS)
            if names == "*":
                found.append((line, dots + module, "*"))
            else:
                found.extend((line, dots + module, name) for name in _names(names))
    return found


def _native(name: str) -> Callable[[str], Any] | None:
    from .exceptions import NotBuiltError
    from .native import lookup

    try:
        return lookup(name)
    except NotBuiltError:  # modgate run from a checkout (modgate check): the fallback
        return None


def includes(text: str) -> list[Include]:
    """:func:`includes_py`, through the native ``scan.includes`` when it is built."""
    fn = _native("scan.includes")
    if fn is None:
        return includes_py(text)
    return [(int(a), str(b), bool(c)) for a, b, c in fn(text)]


def imports(text: str) -> list[Import]:
    """:func:`imports_py`, through the native ``scan.imports`` when it is built."""
    fn = _native("scan.imports")
    if fn is None:
        return imports_py(text)
    return [(int(a), str(b), str(c)) for a, b, c in fn(text)]
