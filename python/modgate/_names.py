"""Every name derived from a host's package and a module's name, in one place.

A leaf: it imports nothing, so the configure step, the import-time loader, the metadata
provider, the CLI and the pytest plugin all use it at no cost. CMake never derives a
name itself: the resolver hands it these (``modgate_module_<name>_OPTION`` and so on).
"""

REGISTRATION_FILE = "module.toml"  # modules/<name>/module.toml
MODULE_CMAKE_FILE = "module.cmake"  # modules/<name>/module.cmake: optional, included after its targets exist
PROBLEMS_FILE = "problems.json"  # <build>/modgate/problems.json: what the last failed configure reported
# The names `import <host>` reads. modgate/__init__.py, the one file of modgate that path
# loads, holds its own copy of these three, since it imports no other file of modgate
# (a second file costs a fresh process 0.2 ms); tests/unit/test_layout.py holds them equal.
MANIFEST_NAME = "_manifest.json"  # <package>/_manifest.json, written from the resolver's output
# <package>/modules/<name>/_module.json: what a module wheel installs beside the module, so the
# loader knows it is there and which core it was built with, without reading entry points.
MODULE_RECORD_NAME = "_module.json"
# The environment (or CMake) variable naming a staging folder: set, a build ships each module
# in a wheel of its own (`modgate wheels`), leaving the modules out of the host's own wheel.
MODULE_WHEELS_VARIABLE = "MODGATE_MODULE_WHEELS"
MODULE_WHEELS_RECORD = "wheels.json"  # in that folder: what each module wheel holds and requires
DEFAULT_MODULE_DISTRIBUTION = "{project}-{module}"  # [tool.modgate] module-distribution
EXTENSION_NAME = "_native"  # <package>.modules.<name>._native, a module's pybind11 extension
MODULES_PACKAGE = "modules"  # <package>.modules.<name>
RUNTIME_LIBRARY = "modgate_runtime"  # the shared runtime's library stem (src/CMakeLists.txt builds it)
DEFAULT_MODULES_DIRS = ("modules",)
DEFAULT_OPTION_PREFIX = "USE_MODULE_"
ALL_MODULES = "MODGATE_ALL_MODULES"  # the CMake variable: one value for every unset module
# What a module's, a group's and MODGATE_ALL_MODULES' option takes, and module.toml's
# ``default``, strongest first: ON (it and what it requires), AUTO (the same when all of it
# can be built), IF_NEEDED (only when a module being built requires it), OFF (never).
MODULE_VALUES = ("ON", "AUTO", "IF_NEEDED", "OFF")
# A group's option (``groups`` in module.toml): outside every host's option prefix (which may
# not start with ``MODGATE_``) and every module's ``option`` key, so it names no module.
GROUP_OPTION_PREFIX = "MODGATE_GROUP_"
# A capability's option (``provides`` in module.toml): which provider, or NO_PROVIDER.
CAPABILITY_OPTION_PREFIX = "MODGATE_PROVIDER_"
NO_PROVIDER = "none"
CAPABILITY_POLICIES = ("at-most-one", "exactly-one", "any")  # any: chosen at run time
EXTRA_MODULE_DIRS = "MODGATE_EXTRA_MODULE_DIRS"
ALL_EXTRA = "all"  # the pip extra holding every module's Python requirements
CMAKE_PREFIX_GROUP = "cmake.prefix"  # scikit-build-core's entry-point group: a package on CMAKE_PREFIX_PATH
DISABLE_VARIABLE = "MODGATE_DISABLE"
# A lowercase letter, then lowercase letters, digits and single '_' not at the end: so the
# pip extra and the module wheel's name (each '_' one '-') are a module's alone.
NAME_PATTERN = "^(?=.{1,63}$)[a-z][a-z0-9]*(_[a-z0-9]+)*$"
# The ``modgate`` command's own subcommands, in the order ``modgate --help`` lists them; each
# is the module of that name in modgate._cli. A module's [commands] may not take these names.
CORE_COMMANDS = (
    "list",
    "check",
    "matrix",
    "verify",
    "schema",
    "cmake-dir",
    "init",
    "new",
    "plan",
    "info",
    "codeowners",
    "stale",
    "wheels",
    "twins",
    "sbom",
)
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_NAME_CHARS = _LOWER | frozenset("0123456789_")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# CMake variables are case sensitive: a project's kept names may be mixed case
# (VTK_GROUP_ENABLE_Rendering), so an option is a letter, then letters, digits or "_".
_OPTION_START = _UPPER | frozenset("abcdefghijklmnopqrstuvwxyz")
_OPTION_CHARS = _OPTION_START | frozenset("0123456789_")


def is_module_name(text: object) -> bool:
    """Whether ``text`` matches :data:`NAME_PATTERN` (a module folder's name)."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= 63
        and text[0] in _LOWER
        and all(char in _NAME_CHARS for char in text)
        and "__" not in text
        and not text.endswith("_")
    )


def is_option_name(text: object) -> bool:
    """Whether ``text`` is a CMake-safe option name: a letter, then letters, digits or ``_``
    (either case: CMake variables are case sensitive)."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= 120
        and text[0] in _OPTION_START
        and all(c in _OPTION_CHARS for c in text)
    )


def is_package_name(text: object) -> bool:
    """Whether ``text`` is an importable dotted package name."""
    return isinstance(text, str) and bool(text) and all(part.isidentifier() for part in text.split("."))


def option_name(module: str, prefix: str = DEFAULT_OPTION_PREFIX) -> str:
    """The CMake option that toggles ``module`` when its registration sets no ``option``."""
    return prefix + module.upper()


def group_option(group: str) -> str:
    """The CMake option that sets every member of ``group`` whose own option is unset, when
    the host's ``[tool.modgate.groups]`` gives it no other name."""
    return GROUP_OPTION_PREFIX + group.upper()


def capability_option(capability: str) -> str:
    """The CMake option naming the provider of ``capability`` (or ``none``), when the host's
    ``[tool.modgate.capabilities]`` gives it no other name."""
    return CAPABILITY_OPTION_PREFIX + capability.upper()


def have_definition(module: str) -> str:
    """The compile definition, ``1`` or ``0``, that a module naming ``module`` in its
    ``optional-requires`` gets on its own targets: whether ``module`` is in the build."""
    return "MODGATE_HAVE_" + module.upper()


def extra_name(module: str) -> str:
    """The pip extra holding ``module``'s Python requirements, normalized as PEP 685
    compares extras (module names hold only ``[a-z0-9_]``: each run of ``_`` is one ``-``)."""
    out: list[str] = []
    for char in module:
        if char != "_":
            out.append(char)
        elif not out or out[-1] != "-":
            out.append("-")
    return "".join(out)


def entry_point_group(package: str) -> str:
    """The entry-point group through which distributions add modules to host ``package``."""
    return f"{package}.{MODULES_PACKAGE}"


def module_import_name(package: str, module: str) -> str:
    """``<package>.modules.<module>``."""
    return f"{package}.{MODULES_PACKAGE}.{module}"


def package_path(package: str) -> str:
    """The folder of ``package`` relative to the install root (``a.b`` -> ``a/b``)."""
    return package.replace(".", "/")


def module_install_dir(package: str, module: str) -> str:
    """Where ``module``'s Python part, library and extension are installed, relative to the
    install root."""
    return f"{package_path(package)}/{MODULES_PACKAGE}/{module}"


def module_distribution(project: str, module: str, pattern: str = DEFAULT_MODULE_DISTRIBUTION) -> str:
    """The distribution a module wheel is published as: ``pattern`` with ``{project}`` (the
    host's ``[project] name``) and ``{module}`` filled in, normalized as PEP 503 compares
    names (lower case, each run of ``-``, ``_`` and ``.`` one ``-``)."""
    raw = pattern.replace("{project}", project).replace("{module}", module).lower()
    out: list[str] = []
    for char in raw:
        if char not in "-_.":
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def module_record(module: str) -> str:
    """Where a module wheel's ``_module.json`` is, relative to the host's package folder."""
    return f"{MODULES_PACKAGE}/{module}/{MODULE_RECORD_NAME}"


def wheel_file_name(distribution: str) -> str:
    """A distribution's name as wheel and sdist file names spell it (``acme-x`` -> ``acme_x``)."""
    return distribution.replace("-", "_")


def install_component(module: str) -> str:
    """The CMake install component of ``module``'s files: what its own wheel holds."""
    return f"modgate_module_{module}"


def header_prefix(package: str, module: str) -> str:
    """Where ``module``'s public headers live below its ``include/`` folder."""
    return f"{package_path(package)}/{module}/"


def library_target(host: str, module: str) -> str:
    """The CMake target and library file stem of module ``module`` of host ``host``: the
    host is part of it, so two hosts' modules of one name never share a SONAME."""
    return f"{host.replace('.', '_')}_{module}"


BUILD_TREE_TARGET = "modgate_build_tree"  # cmake/modgate.cmake: the links of <build>/python


def headers_target(host: str, module: str) -> str:
    """The CMake interface target of a module with public headers but no library sources:
    what its dependents link to see them."""
    return library_target(host, module) + "_headers"


def module_build_dir(module: str) -> str:
    """Where ``module``'s library and extension are built, relative to CMake's binary folder."""
    return f"{MODULES_PACKAGE}/{module}"


def extension_target(module: str) -> str:
    """The CMake target of ``module``'s pybind11 extension."""
    return f"modgate_{module}_python"


def exported_target(package: str, module: str) -> str:
    """How a plugin names host ``package``'s exported module library in CMake."""
    return f"{package}::module_{module}"


def modules_export_file(package: str) -> str:
    """The CMake file, relative to the install root, that imports the targets of host
    ``package``'s enabled modules (for plugins that require them)."""
    return f"{package_path(package)}/share/cmake/{package}-modules/{package}ModuleTargets.cmake"


def module_export_file(package: str, module: str) -> str:
    """The CMake file, relative to the install root, that imports module ``module``'s targets
    (installed with the module, so a module wheel brings its own); :func:`modules_export_file`
    includes each one that is installed."""
    return f"{package_path(package)}/share/cmake/{package}-modules/{package}_{module}Targets.cmake"


def shared_export_file(package: str) -> str:
    """The CMake file, relative to the install root, that imports the targets of every module
    of host ``package`` built into its one wheel (a build without module wheels has one export
    set: one file to generate, not two per module)."""
    return f"{package_path(package)}/share/cmake/{package}-modules/{package}ModuleTargetsAll.cmake"


def modules_include_dir(package: str) -> str:
    """The installed public headers of host ``package``'s enabled modules, relative to the
    install root."""
    return f"{package_path(package)}/include"


def function_name(package: str, name: str) -> str:
    """The registry key of native function ``name`` (``<module>.<function>``) of host
    ``package``: each host has its own namespace in the process-wide registry."""
    return f"{package}:{name}"


OPTION_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,119}$"
COMMAND_PATTERN = "^[a-z][a-z0-9-]{0,39}$"


def is_command_name(text: object) -> bool:
    """Whether ``text`` can name a ``modgate`` subcommand: lower case, digits and ``-``."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= 40
        and text[0] in _LOWER
        and all(ch in _LOWER or ch.isdigit() or ch == "-" for ch in text)
    )
