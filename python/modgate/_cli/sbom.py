"""``modgate sbom``: a CycloneDX document of an installed host's build: the core, each
module it can use (in the core's wheel, in a wheel of its own, or a plugin's), their
versions and licences, and which module requires which.

Written with ``cyclonedx-python-lib``, the CycloneDX project's own library, which also
validates the document against the schema before it is printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._names import module_import_name
from ..exceptions import ModgateError
from ._common import PACKAGE_HELP, default_host, host_info

__all__ = ["document", "main", "populate_parser"]

_INSTALL = 'pip install "cyclonedx-python-lib[json-validation]>=8"'


def document(data: dict[str, Any]) -> str:
    """The CycloneDX 1.6 JSON of ``data`` (a host's ``info()``): the host as the document's
    component, every module built ON as a component it depends on."""
    try:
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.output.json import JsonV1Dot6
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
        from packageurl import PackageURL

        try:
            from cyclonedx.contrib.license.factories import LicenseFactory
        except ImportError:  # before 11.x
            from cyclonedx.factory.license import LicenseFactory
    except ImportError as exc:
        raise ModgateError(
            f"modgate sbom writes with cyclonedx-python-lib, which is not installed ({exc}): {_INSTALL}"
        ) from None

    licenses = LicenseFactory()

    def licensed(expression: str | None) -> list[Any]:
        return [licenses.make_from_string(expression)] if expression else []

    package = data["package"]
    version = str(data["version"])
    distribution = str(data.get("distribution") or package)
    core_license = data.get("core_license") or None
    root = Component(
        name=distribution,
        version=version,
        type=ComponentType.LIBRARY,
        bom_ref=f"{distribution}@{version}",
        purl=PackageURL("pypi", None, distribution, version),
        licenses=licensed(core_license),
        description=f"the core of {package}, as built",
    )
    bom = Bom()
    bom.metadata.component = root
    parts: dict[str, Any] = {}
    modules: dict[str, dict[str, Any]] = data["modules"]
    for name, module in sorted(modules.items()):
        if module["state"] != "ON":
            continue
        own = module.get("shipped_in") != "core"
        owner = str(module.get("distribution") or distribution)
        parts[name] = Component(
            name=owner if own else module_import_name(package, name),
            version=str(module.get("version") or version),
            type=ComponentType.LIBRARY,
            bom_ref=f"module:{package}.{name}",
            purl=PackageURL("pypi", None, owner, str(module.get("version") or version)) if own else None,
            licenses=licensed(module.get("license")),
            description=module.get("summary"),
        )
        bom.components.add(parts[name])
    bom.register_dependency(root, parts.values())
    for name, part in parts.items():
        needs = [*modules[name].get("requires", ()), *modules[name].get("optional_present", ())]
        bom.register_dependency(part, [parts[dep] for dep in needs if dep in parts])
    text: str = JsonV1Dot6(bom).output_as_string(indent=2)
    problem = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if problem is not None:  # the library wrote what its own schema refuses: say so, write nothing
        raise ModgateError(f"modgate sbom: the CycloneDX document does not validate: {problem}")
    return text + "\n"


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "sbom",
        help="a CycloneDX document of an installed host's build: core, modules, versions, licences",
        description="The software bill of materials of the installed host: the core and each module built ON,"
        f" with versions, licences and requirements (CycloneDX 1.6 JSON; needs {_INSTALL}).",
    )
    parser.add_argument("--package", help=PACKAGE_HELP)
    parser.add_argument("--format", choices=("cyclonedx",), default="cyclonedx", help="cyclonedx: CycloneDX 1.6 JSON")
    parser.add_argument("--output", "-o", help="write it to this file (default: print it)")


def main(args: argparse.Namespace) -> int:
    text = document(host_info(args.package or default_host()))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
