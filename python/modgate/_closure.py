"""The one walk of a module graph: everything some modules reach through their edges
(``requires``, in a registration or a build manifest). A leaf, as ``_names`` is: the
configure steps' graph, the matrix and the import-time loader all walk with it. Imports
nothing a bare interpreter has not (the loader's rule)."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable

__all__ = ["reach"]


def reach(
    start: "Iterable[str]", edges: "Callable[[str], Iterable[str]]", *, within: "Container[str] | None" = None
) -> "set[str]":
    """Every node ``start`` reaches through ``edges`` (cycles end the walk), without the
    start nodes unless one reaches another; ``within``: walk only through these nodes."""
    seen: set[str] = set()
    stack = [edge for node in start for edge in edges(node)]
    while stack:
        node = stack.pop()
        if node not in seen and (within is None or node in within):
            seen.add(node)
            stack.extend(edges(node))
    return seen
