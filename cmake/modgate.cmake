#[=======================================================================[.rst:
modgate.cmake
-------------

The CMake side of modgate. Every decision (which modules exist, which are enabled, why)
and every derived name (options, targets, install and build folders) comes from the
configure steps in ``python/modgate/_configure/``, which this file runs with the host's
``pyproject.toml`` (``[tool.modgate]``); this file turns their output into cache options,
``find_package`` calls, targets and install rules. It derives no name itself: it hands
the steps every variable once (``_modgate_collect_values``), marking as set by the user
those with the default option prefixes (``USE_MODULE_``, ``MODGATE_GROUP_``,
``MODGATE_PROVIDER_``), the options declared before and the command line's; the steps
know the host's own prefixes and names.

Public functions:

``modgate_add_modules([PROJECT_DIR <dir>] [VERSION <version>])``
  discover, resolve and build the host's modules (call once, after the core's targets).
``modgate_core_target(<target>)``
  mark a target as the host's core: it can include no module header.
``modgate_read_abi_version(<out-var>)``
  the runtime's ABI version, from ``modgate/abi.h``.

Cache variables: ``MODGATE_ALL_MODULES`` (``ON``/``AUTO``/``IF_NEEDED``/``OFF`` for every module whose
option is unset), ``MODGATE_EXTRA_MODULE_DIRS`` (more folders of module folders), one
option per module (``<option-prefix><NAME>``, or the module's ``option`` key), and one per
group a module is in (``MODGATE_GROUP_<G>``, or its name in ``[tool.modgate.groups]``), and
one per capability a module provides (``MODGATE_PROVIDER_<C>``, or its name in
``[tool.modgate.capabilities]``: a provider's name or ``none``).

Targets, per enabled module (names from ``python/modgate/_names.py``):
``<host>_<name>`` (alias ``<package>::module_<name>``), the module's shared library;
``<host>_<name>_headers``, an interface target for a module with headers and no library;
``modgate_<name>_python``, its pybind11 extension; ``modgate_build_tree``, the links that
make ``<build>/python`` an importable package.

Global property: ``modgate_VERSION``, the version the build manifest records.

Internal functions start with ``_modgate_``; each function's locals start with its own
prefix (functions see their caller's variables). Generated files, in
``<build>/modgate/``: ``declare.cmake``, ``modules.cmake``, ``links.json``,
``links.stamp``, ``registrations.pickle`` (the parse cache), ``problems.json`` (what a
refused configure reported), ``guard/``, ``generated/``.
#]=======================================================================]

include_guard(GLOBAL)

set(modgate_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
include("${CMAKE_CURRENT_LIST_DIR}/modgate_probe.cmake")
if(NOT DEFINED modgate_PYTHON_PACKAGE_DIR)
  # In the source tree the configure steps sit beside cmake/; an installed package sets this.
  set(modgate_PYTHON_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/../python/modgate")
endif()
get_filename_component(modgate_PYTHON_PACKAGE_DIR "${modgate_PYTHON_PACKAGE_DIR}" ABSOLUTE)
if(NOT DEFINED modgate_INCLUDE_DIR)
  # The authoring headers: include/ in the source tree; modgateConfig.cmake sets the installed ones.
  set(modgate_INCLUDE_DIR "${CMAKE_CURRENT_LIST_DIR}/../include")
endif()

set(
  MODGATE_ALL_MODULES
  ""
  CACHE STRING
  "ON, AUTO, IF_NEEDED or OFF for every module whose own option is unset (OFF: the core-only build; IF_NEEDED: the core and what the modules set ON need); unset: each module's default"
)
set(
  MODGATE_EXTRA_MODULE_DIRS
  ""
  CACHE STRING
  "More folders holding module folders (<dir>/<name>/module.toml), as a CMake list"
)

# An editable install rebuilds at import and reinstalls with `cmake --install`, which keeps a
# destination whose time is within one second of its source's ("Up-to-date") even when the
# contents differ: a module rebuilt less than a second after its last link stayed stale.
# Copy every file in an editable build; a CMAKE_INSTALL_ALWAYS the user set wins.
if(SKBUILD_STATE STREQUAL "editable")
  install(
    CODE
      [[
if(NOT DEFINED ENV{CMAKE_INSTALL_ALWAYS})
  set(ENV{CMAKE_INSTALL_ALWAYS} 1)
endif()
]]
  )
endif()

#[=======================================================================[.rst:
modgate_read_abi_version
^^^^^^^^^^^^^^^^^^^^^^^^
::

  modgate_read_abi_version(<out-var>)

Sets ``<out-var>`` to ``MODGATE_ABI_VERSION`` as defined in ``modgate/abi.h`` (under
``modgate_INCLUDE_DIR``), the one place it is written; a fatal error naming the header
when it is missing or does not define it.
#]=======================================================================]
function(modgate_read_abi_version out_var)
  set(_modgate_rav_header "${modgate_INCLUDE_DIR}/modgate/abi.h")
  set(_modgate_rav_line "")
  if(EXISTS "${_modgate_rav_header}")
    file(STRINGS "${_modgate_rav_header}" _modgate_rav_line REGEX "^#define MODGATE_ABI_VERSION [0-9]+$")
  endif()
  if(NOT _modgate_rav_line MATCHES "([0-9]+)$")
    message(FATAL_ERROR "modgate: cannot read MODGATE_ABI_VERSION from ${_modgate_rav_header}")
  endif()
  set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
_modgate_run_step
^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_run_step(<step> <out-file> [<argument>...])

Runs configure step ``<step>`` (``declare`` or ``resolve``) with the common arguments and
``<argument>...``, writing ``<out-file>``; fails configure with the step's own message
(file, key, fix) on a user mistake. ``-S``: a fast start without site-packages, which the
step adds itself when it needs ``packaging`` (and with them a build environment's
``sitecustomize``, which ``PYTHONPATH`` names: hence no ``-E``).
#]=======================================================================]
function(_modgate_run_step step out_file)
  # How the user runs configure again, for the one fix line of a refused request.
  set(_modgate_rs_rerun "cmake:${CMAKE_BINARY_DIR}")
  if(SKBUILD)
    set(_modgate_rs_rerun pip)
  endif()
  execute_process(
    COMMAND
      "${modgate_PYTHON_EXECUTABLE}" -S "${modgate_PYTHON_PACKAGE_DIR}/_configure" ${step} --project-dir
      "${modgate_PROJECT_DIR}" --extra-dirs "${MODGATE_EXTRA_MODULE_DIRS}" --all-modules "${MODGATE_ALL_MODULES}"
      ${modgate_VALUE_ARGS} --out "${out_file}" --cache "${modgate_WORK_DIR}/registrations.pickle" --work-dir
      "${modgate_WORK_DIR}" --rerun "${_modgate_rs_rerun}" ${ARGN}
    RESULT_VARIABLE _modgate_rs_rc
    ERROR_VARIABLE _modgate_rs_err
  )
  if(NOT _modgate_rs_rc EQUAL 0)
    if(_modgate_rs_err STREQUAL "")
      set(_modgate_rs_err "the configure step ${step} (${modgate_PYTHON_EXECUTABLE}) failed: ${_modgate_rs_rc}")
    endif()
    _modgate_fail("${_modgate_rs_err}")
  endif()
endfunction()

#[=======================================================================[.rst:
_modgate_forget_pip_values
^^^^^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_forget_pip_values()

In a pip build (``SKBUILD``) only: empties in the cache every value this configure gave
the configure steps (the module options, ``MODGATE_ALL_MODULES``, and what the user set
that is near an option), after they were used. A pip build that reuses its build folder
(scikit-build-core's ``build-dir``) then sees only what its own ``-C cmake.define.``
arguments say: ``pip install .`` after ``pip install . -C cmake.define.USE_MODULE_X=OFF``
builds X again, and a refused typo does not refuse the next install too. Deferred to the
end of configure, and run before each of modgate's configure errors. Plain CMake keeps
its cache, as CMake users expect.
#]=======================================================================]
function(_modgate_forget_pip_values)
  if(NOT SKBUILD)
    return()
  endif()
  # At the end of configure the global property holds them; on an error, this scope does.
  get_property(_modgate_fp_args GLOBAL PROPERTY _modgate_PIP_VALUES)
  set(_modgate_fp_names)
  set(_modgate_fp_flag)
  foreach(_modgate_fp_arg IN LISTS _modgate_fp_args modgate_VALUE_ARGS)
    # The values the user set (--value), not the other variables handed over (--maybe).
    if(NOT _modgate_fp_flag STREQUAL "--maybe" AND _modgate_fp_arg MATCHES "^([A-Za-z_][A-Za-z0-9_.+-]*)=")
      list(APPEND _modgate_fp_names "${CMAKE_MATCH_1}")
    endif()
    set(_modgate_fp_flag "${_modgate_fp_arg}")
  endforeach()
  foreach(_modgate_fp_var IN LISTS _modgate_fp_names modgate_OPTIONS ITEMS MODGATE_ALL_MODULES)
    if(DEFINED CACHE{${_modgate_fp_var}} AND NOT _modgate_fp_var MATCHES "^(CMAKE_|SKBUILD|Python|PYTHON)")
      set_property(CACHE ${_modgate_fp_var} PROPERTY VALUE "")
    endif()
  endforeach()
endfunction()

#[=======================================================================[.rst:
_modgate_fail
^^^^^^^^^^^^^
Internal. ::

  _modgate_fail(<message>...)

A configure error of modgate's: ``message(FATAL_ERROR)``, after
``_modgate_forget_pip_values`` (a failed configure runs no deferred call).
#]=======================================================================]
function(_modgate_fail)
  _modgate_forget_pip_values()
  string(JOIN "" _modgate_fa_text ${ARGN})
  message(FATAL_ERROR "${_modgate_fa_text}")
endfunction()

#[=======================================================================[.rst:
_modgate_collect_values
^^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_collect_values(<out-var> <prefixes> <options>)

Sets ``<out-var>`` to ``--value NAME=VALUE`` arguments for every variable (cache or
normal, not empty) whose name starts with one of the list ``<prefixes>`` (the default
option prefixes) or is in the list ``<options>``,
and for every cache variable the user set without the project declaring it (``-D`` on the
command line, pip's ``-C cmake.define.``: no type, or no help text), so the resolver can
refuse a misspelled option instead of CMake ignoring it; and to ``--maybe NAME=VALUE`` for
every other variable (not ``CMAKE_*``, not internal) with a value: the configure step takes
those that turn out to be the host's options or to carry its prefixes. So the declare step
runs once, with every value it may need, whatever prefix and option names it declares.
#]=======================================================================]
function(_modgate_collect_values out_var prefixes options)
  get_cmake_property(_modgate_cv_cache CACHE_VARIABLES)
  get_cmake_property(_modgate_cv_normal VARIABLES)
  set(_modgate_cv_all ${_modgate_cv_cache} ${_modgate_cv_normal})
  set(_modgate_cv_names)
  foreach(_modgate_cv_prefix IN LISTS prefixes)
    string(REGEX REPLACE "([][+.*?()^$|\\\\])" "\\\\\\1" _modgate_cv_escaped "${_modgate_cv_prefix}")
    set(_modgate_cv_some ${_modgate_cv_all})
    list(FILTER _modgate_cv_some INCLUDE REGEX "^${_modgate_cv_escaped}")
    list(APPEND _modgate_cv_names ${_modgate_cv_some})
  endforeach()
  foreach(_modgate_cv_opt IN LISTS options)
    if(DEFINED ${_modgate_cv_opt})
      list(APPEND _modgate_cv_names "${_modgate_cv_opt}")
    endif()
  endforeach()
  foreach(_modgate_cv_var IN LISTS _modgate_cv_cache)
    if(_modgate_cv_var MATCHES "^(CMAKE_|_)")
      continue()
    endif()
    get_property(_modgate_cv_type CACHE "${_modgate_cv_var}" PROPERTY TYPE)
    get_property(_modgate_cv_help CACHE "${_modgate_cv_var}" PROPERTY HELPSTRING)
    if(
      _modgate_cv_type STREQUAL "UNINITIALIZED"
      OR
        (
          NOT _modgate_cv_type MATCHES "^(INTERNAL|STATIC)$"
          AND
            (
              _modgate_cv_help STREQUAL ""
              OR _modgate_cv_help STREQUAL "No help, variable specified on the command line."
            )
        )
    )
      list(APPEND _modgate_cv_names "${_modgate_cv_var}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _modgate_cv_names)
  list(SORT _modgate_cv_names)
  set(_modgate_cv_args)
  foreach(_modgate_cv_var IN LISTS _modgate_cv_names)
    if(NOT "${${_modgate_cv_var}}" STREQUAL "")
      string(REPLACE ";" "\\;" _modgate_cv_value "${${_modgate_cv_var}}")
      list(APPEND _modgate_cv_args --value "${_modgate_cv_var}=${_modgate_cv_value}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _modgate_cv_all)
  list(FILTER _modgate_cv_all INCLUDE REGEX "^[A-Za-z][A-Za-z0-9_]*$")
  list(FILTER _modgate_cv_all EXCLUDE REGEX "^CMAKE_")
  if(_modgate_cv_names)
    list(REMOVE_ITEM _modgate_cv_all ${_modgate_cv_names}) # in one call: a host may have thousands of options
  endif()
  foreach(_modgate_cv_var IN LISTS _modgate_cv_all)
    if("${${_modgate_cv_var}}" STREQUAL "")
      continue()
    endif()
    get_property(_modgate_cv_type CACHE "${_modgate_cv_var}" PROPERTY TYPE)
    if(NOT _modgate_cv_type MATCHES "^(INTERNAL|STATIC)$")
      string(REPLACE ";" "\\;" _modgate_cv_value "${${_modgate_cv_var}}")
      list(APPEND _modgate_cv_args --maybe "${_modgate_cv_var}=${_modgate_cv_value}")
    endif()
  endforeach()
  set(${out_var} "${_modgate_cv_args}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
_modgate_declare_option
^^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_declare_option(<option> <help> [CHOICES <value>...])

One module's, group's or capability's cache option, with its help text (the declare
step's generated ``_modgate_generated_options`` calls it once per option). Its values,
for cmake-gui's list, are ``modgate_VALUES`` (from the declare step), or ``CHOICES`` (a
capability's providers). The value stays empty until the user sets it, so what the cache holds is
exactly what the user asked for.
#]=======================================================================]
function(_modgate_declare_option option help)
  cmake_parse_arguments(PARSE_ARGV 2 _modgate_dopt "" "" "CHOICES")
  set(_modgate_dopt_values ${modgate_VALUES})
  if(_modgate_dopt_CHOICES)
    set(_modgate_dopt_values ${_modgate_dopt_CHOICES})
  endif()
  if(NOT DEFINED CACHE{${option}})
    set(${option} "" CACHE STRING "${help}")
  else()
    set_property(CACHE ${option} PROPERTY TYPE STRING)
    set_property(CACHE ${option} PROPERTY HELPSTRING "${help}")
  endif()
  set_property(CACHE ${option} PROPERTY STRINGS "" ${_modgate_dopt_values})
endfunction()

#[=======================================================================[.rst:
_modgate_declare_options
^^^^^^^^^^^^^^^^^^^^^^^^
Internal. Declares every module's option, and drops the unset options of modules that
are gone (a value the user set stays, and the resolver reports it as naming no module).
#]=======================================================================]
function(_modgate_declare_options)
  _modgate_generated_options()
  set_property(CACHE MODGATE_ALL_MODULES PROPERTY STRINGS "" ${modgate_VALUES})
  foreach(_modgate_do_opt IN LISTS modgate_OPTIONS)
    set(_modgate_do_current_${_modgate_do_opt} TRUE)
  endforeach()
  foreach(_modgate_do_opt IN LISTS _modgate_DECLARED_OPTIONS)
    if(NOT _modgate_do_current_${_modgate_do_opt} AND "$CACHE{${_modgate_do_opt}}" STREQUAL "")
      unset(${_modgate_do_opt} CACHE)
    endif()
  endforeach()
  set(_modgate_DECLARED_OPTIONS "${modgate_OPTIONS}" CACHE INTERNAL "the module and group options modgate declared")
endfunction()

#[=======================================================================[.rst:
_modgate_find
^^^^^^^^^^^^^
Internal macro. ::

  _modgate_find(<key> <package> [<version>] [COMPONENTS <component>...])

Looks for ``native.packages`` entry ``<key>`` (``<module>:<index>``) of a module that is
not OFF: probed first (``_modgate_probe``), then, when the probe found it,
``find_package(<package> ... QUIET)`` here. Appends the answer to ``_modgate_found_args``
as a resolve-step argument (``<key>=1``, ``=0``, or ``=error:<what CMake said>``). The
declare step's generated ``_modgate_generated_find`` calls it once per package. A macro,
so the package's variables and imported targets are seen where the module targets are made.
#]=======================================================================]
macro(_modgate_find key package)
  _modgate_probe(_modgate_find_probe ${package} ${ARGN})
  if(_modgate_find_probe STREQUAL "found")
    find_package(${package} ${ARGN} QUIET)
    if(${package}_FOUND)
      list(APPEND _modgate_found_args --found "${key}=1")
    else()
      list(APPEND _modgate_found_args --found "${key}=0")
    endif()
  elseif(_modgate_find_probe STREQUAL "missing")
    list(APPEND _modgate_found_args --found "${key}=0")
  else()
    list(APPEND _modgate_found_args --found "${key}=${_modgate_find_probe}")
  endif()
endmacro()

#[=======================================================================[.rst:
_modgate_link_packages
^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_link_packages(<target> <name> <registration> <packages> <link>)

Links native target ``<target>`` of module ``<name>`` to each of ``<packages>``
(``<Name>[:<component>...]`` each). A package with entries in ``<link>``
(``<Name>=<target>``, from its ``targets`` key) is linked to exactly those, each of which
must exist (a configure error names the ones the package defines); any other to its
``<Name>::<component>`` targets, else ``<Name>::<Name>``, else its ``_INCLUDE_DIRS`` and
``_LIBRARIES`` variables. ``<registration>`` is the ``module.toml`` messages name.
#]=======================================================================]
function(
  _modgate_link_packages
  target
  name
  registration
  packages
  link
)
  foreach(_modgate_lp_entry IN LISTS packages)
    string(REPLACE ":" ";" _modgate_lp_parts "${_modgate_lp_entry}")
    list(POP_FRONT _modgate_lp_parts _modgate_lp_pkg)
    set(_modgate_lp_named)
    string(LENGTH "${_modgate_lp_pkg}=" _modgate_lp_length)
    foreach(_modgate_lp_item IN LISTS link)
      string(SUBSTRING "${_modgate_lp_item}" 0 ${_modgate_lp_length} _modgate_lp_head)
      if(_modgate_lp_head STREQUAL "${_modgate_lp_pkg}=")
        string(SUBSTRING "${_modgate_lp_item}" ${_modgate_lp_length} -1 _modgate_lp_tail)
        list(APPEND _modgate_lp_named "${_modgate_lp_tail}")
      endif()
    endforeach()
    if(_modgate_lp_named)
      foreach(_modgate_lp_want IN LISTS _modgate_lp_named)
        if(NOT TARGET ${_modgate_lp_want})
          get_directory_property(_modgate_lp_imported IMPORTED_TARGETS)
          string(REGEX REPLACE "([][+.*?()^$|\\\\])" "\\\\\\1" _modgate_lp_escaped "${_modgate_lp_pkg}")
          list(FILTER _modgate_lp_imported INCLUDE REGEX "^${_modgate_lp_escaped}::")
          if(NOT _modgate_lp_imported)
            set(_modgate_lp_imported "none with the prefix ${_modgate_lp_pkg}::")
          endif()
          string(REPLACE ";" ", " _modgate_lp_imported "${_modgate_lp_imported}")
          _modgate_fail(
            "  modgate: ${registration}: native.packages ${_modgate_lp_pkg}: targets names '${_modgate_lp_want}',"
            " which find_package(${_modgate_lp_pkg}) did not define, so module '${name}' cannot link it"
            " (the package defines: ${_modgate_lp_imported})\n"
            "    fix: name one of those targets, or link by hand in modules/${name}/module.cmake"
          )
        endif()
        target_link_libraries(${target} PRIVATE ${_modgate_lp_want})
      endforeach()
      continue()
    endif()
    set(_modgate_lp_linked FALSE)
    foreach(_modgate_lp_comp IN LISTS _modgate_lp_parts)
      if(TARGET ${_modgate_lp_pkg}::${_modgate_lp_comp})
        target_link_libraries(${target} PRIVATE ${_modgate_lp_pkg}::${_modgate_lp_comp})
        set(_modgate_lp_linked TRUE)
      endif()
    endforeach()
    if(NOT _modgate_lp_linked AND TARGET ${_modgate_lp_pkg}::${_modgate_lp_pkg})
      target_link_libraries(${target} PRIVATE ${_modgate_lp_pkg}::${_modgate_lp_pkg})
      set(_modgate_lp_linked TRUE)
    endif()
    if(NOT _modgate_lp_linked)
      string(TOUPPER "${_modgate_lp_pkg}" _modgate_lp_upper)
      foreach(_modgate_lp_prefix IN ITEMS ${_modgate_lp_pkg} ${_modgate_lp_upper})
        if(DEFINED ${_modgate_lp_prefix}_INCLUDE_DIRS)
          target_include_directories(${target} PRIVATE ${${_modgate_lp_prefix}_INCLUDE_DIRS})
        endif()
        if(DEFINED ${_modgate_lp_prefix}_LIBRARIES)
          target_link_libraries(${target} PRIVATE ${${_modgate_lp_prefix}_LIBRARIES})
        endif()
      endforeach()
    endif()
  endforeach()
endfunction()

#[=======================================================================[.rst:
_modgate_module_target
^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_module_target(<target> <name> <output-dir> <rpath>)

What every native target of module ``<name>`` shares: C++17, the module's and host's
names as definitions on its own target only (the core never sees a module's, so toggling
a module recompiles nothing else), the module include guards, its build folder and its
RPATH.
#]=======================================================================]
function(_modgate_module_target target name output_dir rpath)
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_compile_definitions(
    ${target}
    PRIVATE "MODGATE_MODULE_NAME=\"${name}\"" "MODGATE_HOST_NAME=\"${modgate_HOST}\""
  )
  # Searched after every real include directory: a module header the target may not
  # see resolves to a stub whose #error names the requires entry to add.
  target_compile_options(${target} PRIVATE "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-idirafter${modgate_GUARD_DIR}>")
  set_target_properties(
    ${target}
    PROPERTIES
      INSTALL_RPATH "${rpath}"
      LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/${output_dir}"
      RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/${output_dir}"
  )
endfunction()

#[=======================================================================[.rst:
_modgate_add_module
^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_add_module(<name>
    INSTALL_DIR <dir> OUTPUT_DIR <dir>
    LIBRARY_TARGET <target> HEADERS_TARGET <target> EXTENSION_TARGET <target>
    EXPORTED_TARGET <target> MODULE_DIR <dir>
    [INCLUDE_DIR <dir>] [PYTHON_DIR <dir>] [PYTHON_INIT <file>]
    [SOURCES <file>...] [BINDING <file>...] [DEPENDS <target>...]
    [DEFINITIONS <NAME>=<value>...] [RPATH <entry>...] [PACKAGES <Name[:component...]>...] [LINK <Name>=<target>...]
    [CMAKE_FILE <file>] REGISTRATION <file>
    COMPONENT <component> [EXPORT_SET <set>] [EXPORT_FILE <file>] [RECORD <file>] [EXCLUDE_FROM_ALL])

The targets and install rules of one enabled module. The resolve step's generated
``_modgate_generated_modules`` calls it once per module, dependencies first, with every
name and path already derived: the module folder (``MODULE_DIR``), the install folder and
build folder (relative to ``CMAKE_BINARY_DIR``), the library, header and extension
targets, the exported target, the source lists, the targets of its ``requires`` and of the ``optional-requires`` that are
enabled (``DEPENDS``), one ``MODGATE_HAVE_<NAME>`` 1/0 per optional requirement
(``DEFINITIONS``, on the module's library and extension only: a toggle recompiles them and
nothing else), its RPATH, its packages and the package targets its registration names
(``LINK``). The module library links with
``--no-undefined`` on Linux, so a symbol no linked library provides fails the build, not
a user's import. Every install rule of the module is in its own install ``COMPONENT`` (what
its wheel holds, ``modgate wheels``). Its targets join export set ``EXPORT_SET``: one of
their own in a build of module wheels, one all modules share in a build into one wheel
(CMake writes two files per export set at each generate); the call given ``EXPORT_FILE``
(relative to the install root) installs the set as that file. Each source of the module
is compiled into ``CMakeFiles/<target>.dir/<its path in MODULE_DIR>`` (CMake 4.2's
``OBJECT_NAME``), not below a copy of the module folder's absolute path, which would cost
every target several new folders. With ``EXCLUDE_FROM_ALL`` (a build that
ships modules as wheels) a plain install leaves them out and installs ``RECORD`` (the
module wheel's ``_module.json``) with them. Last, the module's own ``module.cmake``
(``CMAKE_FILE``) is included, with
``modgate_MODULE_NAME``, ``modgate_MODULE_LIBRARY``, ``modgate_MODULE_EXTENSION`` (empty
when the module has none) and ``modgate_MODULE_TARGETS`` (both, as a list) set.
#]=======================================================================]
function(_modgate_add_module name)
  cmake_parse_arguments(
    PARSE_ARGV 1
    _modgate_am
    "EXCLUDE_FROM_ALL"
    "INSTALL_DIR;OUTPUT_DIR;LIBRARY_TARGET;HEADERS_TARGET;EXTENSION_TARGET;EXPORTED_TARGET;MODULE_DIR;INCLUDE_DIR;PYTHON_DIR;PYTHON_INIT;CMAKE_FILE;REGISTRATION;COMPONENT;EXPORT_SET;EXPORT_FILE;RECORD"
    "SOURCES;BINDING;DEPENDS;DEFINITIONS;RPATH;PACKAGES;LINK"
  )
  set(_modgate_am_install COMPONENT "${_modgate_am_COMPONENT}")
  if(_modgate_am_EXCLUDE_FROM_ALL)
    list(APPEND _modgate_am_install EXCLUDE_FROM_ALL)
  endif()
  set(_modgate_am_export_set "${_modgate_am_EXPORT_SET}")
  foreach(_modgate_am_source IN LISTS _modgate_am_SOURCES _modgate_am_BINDING)
    file(RELATIVE_PATH _modgate_am_object "${_modgate_am_MODULE_DIR}" "${_modgate_am_source}")
    # A source outside the module folder keeps CMake's name, as does one named like an
    # anchor source, whose object sits at the same place.
    if(NOT _modgate_am_object MATCHES "^(\\.\\./|modgate_anchor(_use)?\\.cc$)")
      set_property(SOURCE "${_modgate_am_source}" PROPERTY OBJECT_NAME "${_modgate_am_object}")
    endif()
  endforeach()
  set(modgate_MODULE_NAME "${name}")
  set(modgate_MODULE_LIBRARY "")
  set(modgate_MODULE_EXTENSION "")
  set(_modgate_am_lib "${_modgate_am_LIBRARY_TARGET}")
  set(_modgate_am_exported FALSE)
  if(_modgate_am_SOURCES)
    # An exported anchor the extension calls, so the extension always records the
    # library as needed (whatever --as-needed does) and loading it registers the
    # library's functions.
    add_library(${_modgate_am_lib} SHARED ${_modgate_am_SOURCES} "${CMAKE_BINARY_DIR}/modgate_anchor.cc")
    target_compile_definitions(
      ${_modgate_am_lib}
      PRIVATE "MODGATE_ANCHOR=${_modgate_am_lib}_anchor" ${_modgate_am_DEFINITIONS}
    )
    add_library(${_modgate_am_EXPORTED_TARGET} ALIAS ${_modgate_am_lib})
    if(_modgate_am_INCLUDE_DIR)
      target_include_directories(
        ${_modgate_am_lib}
        PUBLIC "$<BUILD_INTERFACE:${_modgate_am_INCLUDE_DIR}>" "$<INSTALL_INTERFACE:${modgate_EXPORT_INCLUDE_DIR}>"
      )
    endif()
    target_link_libraries(${_modgate_am_lib} PUBLIC modgate::runtime ${_modgate_am_DEPENDS})
    _modgate_module_target(${_modgate_am_lib} ${name} "${_modgate_am_OUTPUT_DIR}" "${_modgate_am_RPATH}")
    _modgate_link_packages(
      ${_modgate_am_lib}
      ${name}
      "${_modgate_am_REGISTRATION}"
      "${_modgate_am_PACKAGES}"
      "${_modgate_am_LINK}"
    )
    # Every symbol from a library it links: an unlinked package fails here, naming the symbol.
    target_link_options(${_modgate_am_lib} PRIVATE "$<$<PLATFORM_ID:Linux>:LINKER:--no-undefined>")
    set(modgate_MODULE_LIBRARY "${_modgate_am_lib}")
    install(
      TARGETS ${_modgate_am_lib}
      EXPORT ${_modgate_am_export_set}
      LIBRARY DESTINATION "${_modgate_am_INSTALL_DIR}"
      ${_modgate_am_install}
      RUNTIME DESTINATION "${_modgate_am_INSTALL_DIR}"
      ${_modgate_am_install}
    )
    set(_modgate_am_exported TRUE)
  elseif(_modgate_am_INCLUDE_DIR)
    # Headers only (or a Python extension only): dependents still see the headers.
    set(_modgate_am_lib "${_modgate_am_HEADERS_TARGET}")
    add_library(${_modgate_am_lib} INTERFACE)
    target_include_directories(
      ${_modgate_am_lib}
      INTERFACE "$<BUILD_INTERFACE:${_modgate_am_INCLUDE_DIR}>" "$<INSTALL_INTERFACE:${modgate_EXPORT_INCLUDE_DIR}>"
    )
    target_link_libraries(${_modgate_am_lib} INTERFACE modgate::runtime ${_modgate_am_DEPENDS})
    install(TARGETS ${_modgate_am_lib} EXPORT ${_modgate_am_export_set} ${_modgate_am_install})
    set(_modgate_am_exported TRUE)
  endif()
  if(_modgate_am_exported)
    # A plugin's modules may require this one: its headers and library, imported as
    # ${_modgate_am_EXPORTED_TARGET} from the installed host.
    string(REPLACE "${modgate_PACKAGE}::" "" _modgate_am_export_name "${_modgate_am_EXPORTED_TARGET}")
    set_target_properties(${_modgate_am_lib} PROPERTIES EXPORT_NAME "${_modgate_am_export_name}")
    if(_modgate_am_INCLUDE_DIR)
      install(
        DIRECTORY "${_modgate_am_INCLUDE_DIR}/"
        DESTINATION "${modgate_EXPORT_INCLUDE_DIR}"
        ${_modgate_am_install}
      )
    endif()
    if(_modgate_am_EXPORT_FILE)
      get_filename_component(_modgate_am_export_dir "${_modgate_am_EXPORT_FILE}" DIRECTORY)
      get_filename_component(_modgate_am_export_name "${_modgate_am_EXPORT_FILE}" NAME)
      install(
        EXPORT ${_modgate_am_export_set}
        NAMESPACE "${modgate_PACKAGE}::"
        FILE "${_modgate_am_export_name}"
        DESTINATION "${_modgate_am_export_dir}"
        ${_modgate_am_install}
      )
    endif()
    set_property(GLOBAL PROPERTY _modgate_EXPORTED TRUE)
  endif()
  if(_modgate_am_RECORD)
    install(FILES "${_modgate_am_RECORD}" DESTINATION "${_modgate_am_INSTALL_DIR}" ${_modgate_am_install})
  endif()

  if(_modgate_am_BINDING)
    set(_modgate_am_anchor)
    if(TARGET ${_modgate_am_LIBRARY_TARGET})
      set(_modgate_am_anchor "${CMAKE_BINARY_DIR}/modgate_anchor_use.cc")
    endif()
    pybind11_add_module(${_modgate_am_EXTENSION_TARGET} MODULE ${_modgate_am_BINDING} ${_modgate_am_anchor})
    if(_modgate_am_anchor)
      target_compile_definitions(${_modgate_am_EXTENSION_TARGET} PRIVATE "MODGATE_ANCHOR=${_modgate_am_lib}_anchor")
    endif()
    set_target_properties(${_modgate_am_EXTENSION_TARGET} PROPERTIES OUTPUT_NAME "${modgate_EXTENSION_NAME}")
    if(TARGET ${_modgate_am_LIBRARY_TARGET})
      target_link_libraries(${_modgate_am_EXTENSION_TARGET} PRIVATE ${_modgate_am_LIBRARY_TARGET})
    endif()
    target_link_libraries(${_modgate_am_EXTENSION_TARGET} PRIVATE modgate::runtime ${_modgate_am_DEPENDS})
    target_compile_definitions(${_modgate_am_EXTENSION_TARGET} PRIVATE ${_modgate_am_DEFINITIONS})
    _modgate_module_target(${_modgate_am_EXTENSION_TARGET} ${name} "${_modgate_am_OUTPUT_DIR}" "${_modgate_am_RPATH}")
    _modgate_link_packages(
      ${_modgate_am_EXTENSION_TARGET}
      ${name}
      "${_modgate_am_REGISTRATION}"
      "${_modgate_am_PACKAGES}"
      "${_modgate_am_LINK}"
    )
    set(modgate_MODULE_EXTENSION "${_modgate_am_EXTENSION_TARGET}")
    install(
      TARGETS ${_modgate_am_EXTENSION_TARGET}
      LIBRARY DESTINATION "${_modgate_am_INSTALL_DIR}"
      ${_modgate_am_install}
    )
  endif()

  if(_modgate_am_PYTHON_DIR)
    install(
      DIRECTORY "${_modgate_am_PYTHON_DIR}/"
      DESTINATION "${_modgate_am_INSTALL_DIR}"
      ${_modgate_am_install}
      PATTERN "__pycache__" EXCLUDE
      PATTERN "*.pyc" EXCLUDE
      PATTERN "*.cc" EXCLUDE
      PATTERN "*.cpp" EXCLUDE
      PATTERN "*.h" EXCLUDE
      PATTERN "*.hpp" EXCLUDE
    )
  elseif(_modgate_am_PYTHON_INIT)
    install(FILES "${_modgate_am_PYTHON_INIT}" DESTINATION "${_modgate_am_INSTALL_DIR}" ${_modgate_am_install})
  endif()

  if(_modgate_am_CMAKE_FILE)
    # The module's own CMake: links and settings a registration cannot say (VTK's
    # vtk_module_link), on its own targets only.
    set(modgate_MODULE_TARGETS ${modgate_MODULE_LIBRARY} ${modgate_MODULE_EXTENSION})
    include("${_modgate_am_CMAKE_FILE}")
  endif()
endfunction()

#[=======================================================================[.rst:
_modgate_warn_each
^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_warn_each(<prefix>)

One configure warning per item of a list written by the configure steps' ``set_items``
(``<prefix>_COUNT`` and ``<prefix>_<i>``), indented so CMake does not re-wrap it.
#]=======================================================================]
function(_modgate_warn_each prefix)
  if(${prefix}_COUNT GREATER 0)
    math(EXPR _modgate_we_last "${${prefix}_COUNT} - 1")
    foreach(_modgate_we_i RANGE ${_modgate_we_last})
      message(WARNING "  modgate: ${${prefix}_${_modgate_we_i}}")
    endforeach()
  endif()
endfunction()

#[=======================================================================[.rst:
_modgate_print_summary
^^^^^^^^^^^^^^^^^^^^^^
Internal. Prints the module summary table at the end of configure (deferred by
``modgate_add_modules``), one status line per line of the table.
#]=======================================================================]
function(_modgate_print_summary)
  get_property(_modgate_ps_rest GLOBAL PROPERTY _modgate_SUMMARY)
  # Split on newlines by hand: a reason may hold ';', which a CMake list would split.
  while(NOT _modgate_ps_rest STREQUAL "")
    string(FIND "${_modgate_ps_rest}" "\n" _modgate_ps_at)
    if(_modgate_ps_at EQUAL -1)
      message(STATUS "${_modgate_ps_rest}")
      break()
    endif()
    string(SUBSTRING "${_modgate_ps_rest}" 0 ${_modgate_ps_at} _modgate_ps_line)
    math(EXPR _modgate_ps_at "${_modgate_ps_at} + 1")
    string(SUBSTRING "${_modgate_ps_rest}" ${_modgate_ps_at} -1 _modgate_ps_rest)
    message(STATUS "${_modgate_ps_line}")
  endwhile()
endfunction()

#[=======================================================================[.rst:
modgate_add_modules
^^^^^^^^^^^^^^^^^^^
::

  modgate_add_modules(
    [PROJECT_DIR <dir>]
    [VERSION <version>]
  )

Reads the host's ``[tool.modgate]`` from ``<PROJECT_DIR>/pyproject.toml`` (default: the
top-level source folder): its ``package``, ``modules-dirs``, ``option-prefix`` and, for a
plugin, the ``host`` whose modules it adds to. Discovers ``<dir>/<name>/module.toml`` in
each of the ``modules-dirs`` (and in ``MODGATE_EXTRA_MODULE_DIRS``), declares one cache
option per module (``<option-prefix><NAME>``, or the module's ``option`` key), runs the
resolver with what the user set (those options, ``MODGATE_ALL_MODULES``), looks up each
candidate module's ``native.packages``, then creates the targets of each enabled module:

``<host>_<name>`` (alias ``<package>::module_<name>``)
  shared library from ``native.sources``, linked to ``modgate::runtime`` and to the
  libraries of the modules in ``requires`` — and to nothing else.
``modgate_<name>_python``
  the pybind11 extension ``<package>/modules/<name>/_native`` from the module's
  ``python/*.cc``.

Installs each enabled module's Python part to ``<package>/modules/<name>/``, its public
headers and exported targets (for plugins that require it), and the build manifest
``<package>/_manifest.json``; mirrors that layout with links in ``<build>/python/``
(so the build tree on ``PYTHONPATH`` imports this configuration); prints a summary table
at the end of configure.

``VERSION`` defaults to ``SKBUILD_PROJECT_VERSION_FULL`` (a pip build), else to the
host's ``[project] version``, or what setuptools-scm computes when the version is dynamic
with ``[tool.setuptools_scm]``; failing that ``0+unknown``, with a warning. The global
property ``modgate_VERSION`` holds the version used. Requires ``modgate::runtime``,
``pybind11_add_module`` and ``Python_EXECUTABLE``. Call it once, after the core's targets.
#]=======================================================================]
function(modgate_add_modules)
  cmake_parse_arguments(PARSE_ARGV 0 _modgate_amods "" "PROJECT_DIR;VERSION;INSTALL_DIR" "DIRECTORIES")
  if(_modgate_amods_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "modgate_add_modules: unknown arguments ${_modgate_amods_UNPARSED_ARGUMENTS}")
  endif()
  if(DEFINED _modgate_amods_DIRECTORIES OR DEFINED _modgate_amods_INSTALL_DIR)
    message(
      FATAL_ERROR
      "modgate_add_modules: DIRECTORIES and INSTALL_DIR are read from pyproject.toml now:"
      " write them as [tool.modgate] modules-dirs = [...] and package = \"...\", and call"
      " modgate_add_modules() without them"
    )
  endif()
  get_property(_modgate_amods_called GLOBAL PROPERTY _modgate_ADDED)
  if(_modgate_amods_called)
    message(FATAL_ERROR "modgate_add_modules: called twice; list every modules folder in [tool.modgate] modules-dirs")
  endif()
  set_property(GLOBAL PROPERTY _modgate_ADDED TRUE)
  if(NOT _modgate_amods_PROJECT_DIR)
    set(_modgate_amods_PROJECT_DIR "${CMAKE_SOURCE_DIR}")
  endif()
  get_filename_component(
    modgate_PROJECT_DIR
    "${_modgate_amods_PROJECT_DIR}"
    ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}"
  )
  set(_modgate_amods_version "${_modgate_amods_VERSION}")
  set(_modgate_amods_version_args)
  if(NOT _modgate_amods_version)
    if(DEFINED SKBUILD_PROJECT_VERSION_FULL)
      set(_modgate_amods_version "${SKBUILD_PROJECT_VERSION_FULL}")
    else()
      set(_modgate_amods_version_args --project-version) # the declare step reads it from pyproject.toml
    endif()
  endif()
  if(NOT TARGET modgate::runtime)
    message(
      FATAL_ERROR
      "modgate_add_modules: the target modgate::runtime must exist first (find_package(modgate CONFIG))"
    )
  endif()
  if(NOT DEFINED modgate_PYTHON_EXECUTABLE)
    set(modgate_PYTHON_EXECUTABLE "${Python_EXECUTABLE}")
  endif()
  set(modgate_WORK_DIR "${CMAKE_BINARY_DIR}/modgate")

  # Every value once: those the user set (the default prefixes, the options declared
  # before, the command line's) and every other variable as a candidate, which the
  # configure steps take when it is one of the host's options or carries its prefixes.
  set(_modgate_amods_prefixes "USE_MODULE_;MODGATE_GROUP_;MODGATE_PROVIDER_") # the defaults (_names.py)
  _modgate_collect_values(modgate_VALUE_ARGS "${_modgate_amods_prefixes}" "$CACHE{_modgate_DECLARED_OPTIONS}")
  _modgate_run_step(declare "${modgate_WORK_DIR}/declare.cmake" ${_modgate_amods_version_args})
  include("${modgate_WORK_DIR}/declare.cmake")
  _modgate_declare_options()
  _modgate_warn_each(modgate_WARNINGS)
  if(NOT _modgate_amods_version)
    set(_modgate_amods_version "${modgate_PROJECT_VERSION}")
  endif()
  set_property(GLOBAL PROPERTY modgate_VERSION "${_modgate_amods_version}")

  set(_modgate_found_args)
  _modgate_generated_find()
  set(_modgate_amods_host_args)
  if(NOT modgate_HOST STREQUAL modgate_PACKAGE)
    # A plugin: the installed host's manifest says which of its modules were built.
    if(modgate_HOST MATCHES "\\.")
      message(FATAL_ERROR "modgate: a plugin's host must be a top-level package, not ${modgate_HOST}")
    endif()
    # A pip build has the host's package folder on CMAKE_PREFIX_PATH (its cmake.prefix entry
    # point); elsewhere the build's Python says where the host package is.
    set(modgate_HOST_ROOT "")
    foreach(_modgate_amods_prefix_dir IN LISTS CMAKE_PREFIX_PATH)
      get_filename_component(_modgate_amods_prefix_name "${_modgate_amods_prefix_dir}" NAME)
      if(
        _modgate_amods_prefix_name STREQUAL modgate_HOST
        AND EXISTS "${_modgate_amods_prefix_dir}/${modgate_MANIFEST_NAME}"
      )
        get_filename_component(modgate_HOST_ROOT "${_modgate_amods_prefix_dir}" DIRECTORY)
        message(STATUS "modgate: host ${modgate_HOST} from CMAKE_PREFIX_PATH (cmake.prefix): ${modgate_HOST_ROOT}")
        break()
      endif()
    endforeach()
    if(NOT modgate_HOST_ROOT)
      execute_process(
        COMMAND
          "${modgate_PYTHON_EXECUTABLE}" -c
          "import importlib.util as u, os, sys; s = u.find_spec(sys.argv[1]); l = list(s.submodule_search_locations or []) if s else []; print(os.path.dirname(l[0]) if l else '')"
          "${modgate_HOST}"
        OUTPUT_VARIABLE modgate_HOST_ROOT
        OUTPUT_STRIP_TRAILING_WHITESPACE
        ERROR_QUIET
      )
    endif()
    set(_modgate_amods_host_args --host-dir "${modgate_HOST_ROOT}/${modgate_HOST}")
  endif()
  modgate_read_abi_version(_modgate_amods_abi)
  if(DEFINED PYTHON_MODULE_EXTENSION)
    set(_modgate_amods_ext "${PYTHON_MODULE_EXTENSION}")
  else()
    set(_modgate_amods_ext "${CMAKE_SHARED_MODULE_SUFFIX}")
  endif()
  set(_modgate_amods_package_dir "${CMAKE_BINARY_DIR}/python/${modgate_INSTALL_DIR}")
  # Shipping each module as a wheel of its own (`modgate wheels`): the staging folder.
  set(_modgate_amods_wheel_args)
  if(DEFINED ${modgate_MODULE_WHEELS_VARIABLE} AND NOT "${${modgate_MODULE_WHEELS_VARIABLE}}" STREQUAL "")
    set(_modgate_amods_wheel_args --module-wheels "${${modgate_MODULE_WHEELS_VARIABLE}}")
  elseif(NOT "$ENV{${modgate_MODULE_WHEELS_VARIABLE}}" STREQUAL "")
    set(_modgate_amods_wheel_args --module-wheels "$ENV{${modgate_MODULE_WHEELS_VARIABLE}}")
  endif()
  _modgate_run_step(
    resolve
    "${modgate_WORK_DIR}/modules.cmake"
    ${_modgate_found_args}
    ${_modgate_amods_host_args}
    ${_modgate_amods_wheel_args}
    --package-dir
    "${_modgate_amods_package_dir}"
    --binary-dir
    "${CMAKE_BINARY_DIR}"
    --links
    "${modgate_WORK_DIR}/links.json"
    --manifest
    "${modgate_WORK_DIR}/${modgate_MANIFEST_NAME}"
    --guard-dir
    "${modgate_WORK_DIR}/guard"
    --generated-dir
    "${modgate_WORK_DIR}/generated"
    --version
    "${_modgate_amods_version}"
    --abi-version
    "${_modgate_amods_abi}"
    --lib-prefix
    "${CMAKE_SHARED_LIBRARY_PREFIX}"
    --lib-suffix
    "${CMAKE_SHARED_LIBRARY_SUFFIX}"
    --ext-suffix
    "${_modgate_amods_ext}"
  )
  include("${modgate_WORK_DIR}/modules.cmake")
  # Re-run configure when the host's settings, a registration, a module's source folders
  # or the modgate code the configure steps ran change (that list comes from the steps).
  set_property(
    DIRECTORY "${CMAKE_SOURCE_DIR}"
    APPEND
    PROPERTY
      CMAKE_CONFIGURE_DEPENDS "${modgate_PROJECT_DIR}/pyproject.toml" ${modgate_WATCH} ${modgate_CONFIGURE_SOURCES}
  )
  if(modgate_HOST_EXPORT_FILE)
    include("${modgate_HOST_ROOT}/${modgate_HOST_EXPORT_FILE}")
  endif()

  _modgate_warn_each(modgate_DEPRECATIONS)
  _modgate_warn_each(modgate_LICENSE_NOTES)
  # The anchor sources every native module compiles, copied to the build folder's root: an
  # object's folder mirrors its source's path, and a source outside the project (modgate's
  # own folder, for any other host) would cost every module target several new folders.
  foreach(_modgate_amods_anchor IN ITEMS modgate_anchor.cc modgate_anchor_use.cc)
    configure_file(
      "${modgate_CMAKE_DIR}/${_modgate_amods_anchor}"
      "${CMAKE_BINARY_DIR}/${_modgate_amods_anchor}"
      COPYONLY
    )
  endforeach()
  _modgate_generated_modules()
  get_property(_modgate_amods_exported GLOBAL PROPERTY _modgate_EXPORTED)
  if(_modgate_amods_exported)
    # Includes the export file of each module that is installed (with the host, or its wheel).
    get_filename_component(_modgate_amods_export_dir "${modgate_EXPORT_FILE}" DIRECTORY)
    install(FILES "${modgate_EXPORT_INDEX}" DESTINATION "${_modgate_amods_export_dir}")
  endif()
  install(FILES "${modgate_WORK_DIR}/${modgate_MANIFEST_NAME}" DESTINATION "${modgate_INSTALL_DIR}")
  if(modgate_STAGE_SCRIPT)
    # A build shipping modules as wheels: the host's install stages each module's component.
    install(SCRIPT "${modgate_STAGE_SCRIPT}")
  endif()
  # The build tree as an importable package (<build>/python on PYTHONPATH): links made by a
  # build step from the list the resolve step wrote, again only when that list changes.
  add_custom_command(
    OUTPUT "${modgate_WORK_DIR}/links.stamp"
    COMMAND
      "${modgate_PYTHON_EXECUTABLE}" -S "${modgate_PYTHON_PACKAGE_DIR}/_configure" link --links
      "${modgate_WORK_DIR}/links.json" --out "${modgate_WORK_DIR}/links.stamp"
    DEPENDS "${modgate_WORK_DIR}/links.json"
    COMMENT "modgate: linking the build tree's ${modgate_PACKAGE} package"
    VERBATIM
  )
  add_custom_target(modgate_build_tree ALL DEPENDS "${modgate_WORK_DIR}/links.stamp")
  # The core's targets (modgate_core_target) learn their host's name (the registry
  # namespace their unqualified lookups use), their include guards and their build folder.
  set_property(GLOBAL PROPERTY _modgate_HOST "${modgate_HOST}")
  set_property(GLOBAL PROPERTY _modgate_GUARD_DIR "${modgate_GUARD_DIR}")
  set_property(GLOBAL PROPERTY _modgate_BUILD_PACKAGE_DIR "${_modgate_amods_package_dir}")
  get_property(_modgate_amods_core GLOBAL PROPERTY _modgate_CORE_TARGETS)
  foreach(_modgate_amods_target IN LISTS _modgate_amods_core)
    _modgate_core_settings(${_modgate_amods_target})
  endforeach()
  set_property(GLOBAL PROPERTY _modgate_SUMMARY "${modgate_SUMMARY}")
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _modgate_print_summary)
  if(SKBUILD)
    list(TRANSFORM modgate_OPTIONS APPEND "=" OUTPUT_VARIABLE _modgate_amods_options)
    set_property(GLOBAL PROPERTY _modgate_PIP_VALUES ${modgate_VALUE_ARGS} ${_modgate_amods_options})
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _modgate_forget_pip_values)
  endif()
endfunction()

#[=======================================================================[.rst:
_modgate_core_settings
^^^^^^^^^^^^^^^^^^^^^^
Internal. ::

  _modgate_core_settings(<target>)

What ``modgate_add_modules`` knows and a core target needs: its host's name
(``MODGATE_HOST_NAME``), the core include guards, and, for a Python extension (a
``MODULE`` library), the build tree's package folder as its output folder (so
``PYTHONPATH=<build>/python`` imports this build) and ``modgate_core_loader.cc``, which
gives the runtime its module loader when the extension loads (so the core's lookups find
a built module's functions with nothing imported before).
#]=======================================================================]
function(_modgate_core_settings target)
  get_property(_modgate_cs_host GLOBAL PROPERTY _modgate_HOST)
  get_property(_modgate_cs_guard GLOBAL PROPERTY _modgate_GUARD_DIR)
  target_compile_definitions(${target} PRIVATE "MODGATE_HOST_NAME=\"${_modgate_cs_host}\"")
  target_compile_options(${target} PRIVATE "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-idirafter${_modgate_cs_guard}>")
  get_target_property(_modgate_cs_type ${target} TYPE)
  if(_modgate_cs_type STREQUAL "MODULE_LIBRARY")
    get_property(_modgate_cs_dir GLOBAL PROPERTY _modgate_BUILD_PACKAGE_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${_modgate_cs_dir}")
    target_sources(${target} PRIVATE "${modgate_CMAKE_DIR}/modgate_core_loader.cc")
  endif()
endfunction()

#[=======================================================================[.rst:
modgate_core_target
^^^^^^^^^^^^^^^^^^^
::

  modgate_core_target(<target>)

Marks ``<target>`` as part of the host's core: any ``#include`` of a module header fails
to compile with a message saying that the core reaches modules only by name, and its
registry lookups by unqualified name (``modgate::find_function("scan.includes")``) look
in its own host's namespace. A Python extension (a ``MODULE`` library) is built into the
build tree's package (``<build>/python/<package>``). Call it before or after
``modgate_add_modules``: before, the settings are applied when it runs.
#]=======================================================================]
function(modgate_core_target target)
  get_property(_modgate_ct_host GLOBAL PROPERTY _modgate_HOST)
  if(_modgate_ct_host)
    _modgate_core_settings(${target})
  else()
    set_property(GLOBAL APPEND PROPERTY _modgate_CORE_TARGETS ${target})
  endif()
endfunction()
