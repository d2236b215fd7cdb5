"""The standard-library PEP 508 / PEP 440 validators."""

from __future__ import annotations

import pytest

from modgate._configure.pep508 import check_requirement, check_version, release_tuple


@pytest.mark.parametrize(
    "req",
    [
        "graphviz",
        "graphviz>=0.20",
        "numpy>=1.22,<3",
        "A.B-C_D[extra1, extra2]>=1.0rc1",
        "pkg (>=1.0)",
        "pkg==1.*",
        "pkg~=1.4.2",
        "pkg===weird-version",
        "pkg; python_version >= '3.11' and sys_platform != 'win32'",
        "pkg[x]>=1; (os_name == 'posix' or extra == 'a') and platform_machine in 'x86_64 aarch64'",
        "pkg @ https://example.org/pkg-1.0.tar.gz",
        "pkg @ file:///tmp/pkg ; python_version < '4'",
        "pkg>=1.0.post1.dev2+local.7",
    ],
)
def test_valid_requirements(req: str) -> None:
    assert check_requirement(req) is None


@pytest.mark.parametrize(
    ("req", "needle"),
    [
        ("", "empty"),
        ("graphviz>=", "expected a version"),
        (">=1.0", "distribution name"),
        ("pkg>=one", "not a PEP 440 version"),
        ("pkg[extra", "closing the extras"),
        ("pkg; python_versio >= '3'", "marker variable"),
        ("pkg; python_version >= '3", "unterminated string"),
        ("pkg>=1.0 junk", "unexpected text"),
        ("pkg @ not-a-url", "not a URL"),
        ("pkg~=1", "two release parts"),
        ("pkg; os_name === 'x'", "marker operator"),
    ],
)
def test_invalid_requirements(req: str, needle: str) -> None:
    message = check_requirement(req)
    assert message is not None and needle in message


@pytest.mark.parametrize("version", ["1", "1.2.3", "1!2.0", "1.0a1", "1.0.post2", "1.0.dev3", "1.0+abc.1", "v1.0"])
def test_valid_versions(version: str) -> None:
    assert check_version(version) is None


@pytest.mark.parametrize("version", ["", "one", "1.0-", "1..0", " 1.0", "1.0 beta"])
def test_invalid_versions(version: str) -> None:
    assert check_version(version) is not None


def test_release_tuple_orders_versions() -> None:
    assert release_tuple("1.10") > release_tuple("1.9")
    assert release_tuple("2.0") == release_tuple("2")
