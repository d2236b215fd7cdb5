# modgate.cmake — the CMake side of modgate.
#
# Every decision (which modules exist, which are enabled, why) and every derived name
# (options, targets, install folders) comes from the resolver in python/modgate/_configure/
# (standard library only), which this file runs at configure time with the host's
# pyproject.toml ([tool.modgate]). This file turns its output into cache options,
# find_package calls, targets and install rules; it derives no name itself.
# Every function and variable here is prefixed modgate_ (internal ones _modgate_).

include_guard(GLOBAL)

set(modgate_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
if(NOT DEFINED modgate_PYTHON_PACKAGE_DIR)
  # In the source tree the resolver sits beside cmake/; an installed package sets this.
  set(modgate_PYTHON_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/../python/modgate")
endif()
get_filename_component(modgate_PYTHON_PACKAGE_DIR "${modgate_PYTHON_PACKAGE_DIR}" ABSOLUTE)
if(NOT DEFINED modgate_INCLUDE_DIR)
  # The authoring headers: include/ in the source tree; modgateConfig.cmake sets the installed ones.
  set(modgate_INCLUDE_DIR "${CMAKE_CURRENT_LIST_DIR}/../include")
endif()

set(MODGATE_ALL_MODULES "" CACHE STRING
    "ON, OFF or AUTO for every module whose USE_MODULE_<NAME> is unset (OFF: the core-only build); unset: each module's default")
set_property(CACHE MODGATE_ALL_MODULES PROPERTY STRINGS ";ON;OFF;AUTO")
set(MODGATE_EXTRA_MODULE_DIRS "" CACHE STRING
    "More folders holding module folders (<dir>/<name>/module.toml), as a CMake list")

#[=======================================================================[.rst:
modgate_read_abi_version
------------------------
::

  modgate_read_abi_version(<out-var>)

Sets ``<out-var>`` to ``MODGATE_ABI_VERSION`` as defined in ``modgate/abi.h`` (under
``modgate_INCLUDE_DIR``), the one place it is written.
#]=======================================================================]
function(modgate_read_abi_version out_var)
  set(_header "${modgate_INCLUDE_DIR}/modgate/abi.h")
  if(EXISTS "${_header}")
    file(STRINGS "${_header}" _line REGEX "^#define MODGATE_ABI_VERSION [0-9]+$")
  endif()
  if(NOT _line MATCHES "([0-9]+)$")
    message(FATAL_ERROR "modgate: cannot read MODGATE_ABI_VERSION from ${_header}")
  endif()
  set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

# Runs the resolver stage `stage` with the common arguments plus ARGN; fails configure
# with the resolver's own message (file, key, fix) on a user mistake. -S: a fast start
# without site-packages, which the resolver adds itself when it needs packaging (and with
# them a build environment's sitecustomize, which PYTHONPATH names: hence no -E).
function(_modgate_run_resolver stage out_file)
  execute_process(
    COMMAND "${modgate_PYTHON_EXECUTABLE}" -S "${modgate_PYTHON_PACKAGE_DIR}/_configure" ${stage}
            --project-dir "${modgate_PROJECT_DIR}" --extra-dirs "${MODGATE_EXTRA_MODULE_DIRS}"
            --all-modules "${MODGATE_ALL_MODULES}" ${modgate_VALUE_ARGS} --out "${out_file}"
            --cache "${modgate_WORK_DIR}/registrations.pickle" ${ARGN}
    RESULT_VARIABLE _rc
    ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    if(_err STREQUAL "")
      set(_err "the resolver (${modgate_PYTHON_EXECUTABLE}) failed: ${_rc}")
    endif()
    message(FATAL_ERROR "${_err}")
  endif()
endfunction()

# The values the user set (cache or normal variables, not empty) of every variable starting
# with `prefix` or named in `options`, as resolver arguments.
function(_modgate_collect_values out_var prefix options)
  get_cmake_property(_cache CACHE_VARIABLES)
  get_cmake_property(_normal VARIABLES)
  string(REGEX REPLACE "([][+.*?()^$|\\\\])" "\\\\\\1" _escaped "${prefix}")
  set(_names ${_cache} ${_normal})
  list(FILTER _names INCLUDE REGEX "^${_escaped}")
  foreach(_opt IN LISTS options)
    if(DEFINED ${_opt})
      list(APPEND _names "${_opt}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _names)
  list(SORT _names)
  set(_args)
  foreach(_var IN LISTS _names)
    if(NOT "${${_var}}" STREQUAL "")
      string(REPLACE ";" "\\;" _value "${${_var}}")
      list(APPEND _args --value "${_var}=${_value}")
    endif()
  endforeach()
  set(${out_var} "${_args}" PARENT_SCOPE)
endfunction()

# One cache option, its module's summary as help text (the plan's generated
# _modgate_generated_options calls it once per module). The value stays empty until the
# user sets it, so what the cache holds is exactly what the user asked for.
function(_modgate_declare_option option help)
  if(NOT DEFINED CACHE{${option}})
    set(${option} "" CACHE STRING "${help}")
  else()
    set_property(CACHE ${option} PROPERTY TYPE STRING)
    set_property(CACHE ${option} PROPERTY HELPSTRING "${help}")
  endif()
  set_property(CACHE ${option} PROPERTY STRINGS ";ON;OFF;AUTO")
endfunction()

function(_modgate_declare_options)
  _modgate_generated_options()
  # Drop the unset options of modules that are gone; a value the user set stays (and the
  # resolver reports it as naming no module).
  foreach(_opt IN LISTS modgate_OPTIONS)
    set(_modgate_current_${_opt} TRUE)
  endforeach()
  foreach(_opt IN LISTS _modgate_DECLARED_OPTIONS)
    if(NOT _modgate_current_${_opt} AND "$CACHE{${_opt}}" STREQUAL "")
      unset(${_opt} CACHE)
    endif()
  endforeach()
  set(_modgate_DECLARED_OPTIONS "${modgate_OPTIONS}" CACHE INTERNAL "the module options modgate declared")
endfunction()

# find_package(<package> [<version>] [COMPONENTS ...] QUIET) for native.packages entry
# `key` ("<module>:<index>") of a module that is not OFF; appends what it found to
# _modgate_found_args as a resolver argument. The plan's generated
# _modgate_generated_find calls it once per package.
macro(_modgate_find key package)
  find_package(${package} ${ARGN} QUIET)
  if(${package}_FOUND)
    list(APPEND _modgate_found_args --found "${key}=1")
  else()
    list(APPEND _modgate_found_args --found "${key}=0")
  endif()
endmacro()

# Links the targets of `packages` ("<Name>[:<component>...]" each) to `target`.
function(_modgate_link_packages target packages)
  foreach(_entry IN LISTS packages)
    string(REPLACE ":" ";" _parts "${_entry}")
    list(POP_FRONT _parts _pkg)
    set(_linked FALSE)
    foreach(_comp IN LISTS _parts)
      if(TARGET ${_pkg}::${_comp})
        target_link_libraries(${target} PRIVATE ${_pkg}::${_comp})
        set(_linked TRUE)
      endif()
    endforeach()
    if(NOT _linked AND TARGET ${_pkg}::${_pkg})
      target_link_libraries(${target} PRIVATE ${_pkg}::${_pkg})
      set(_linked TRUE)
    endif()
    if(NOT _linked)
      string(TOUPPER "${_pkg}" _up)
      foreach(_prefix IN ITEMS ${_pkg} ${_up})
        if(DEFINED ${_prefix}_INCLUDE_DIRS)
          target_include_directories(${target} PRIVATE ${${_prefix}_INCLUDE_DIRS})
        endif()
        if(DEFINED ${_prefix}_LIBRARIES)
          target_link_libraries(${target} PRIVATE ${${_prefix}_LIBRARIES})
        endif()
      endforeach()
    endif()
  endforeach()
endfunction()

# Settings every native target of module `name` shares.
function(_modgate_module_target target name rpath packages)
  target_compile_features(${target} PUBLIC cxx_std_17)
  # The module's own name and its host's, for MODGATE_REGISTER_FUNCTION: defines on its own
  # targets only; the core never sees a module's, so toggling a module recompiles nothing else.
  target_compile_definitions(${target} PRIVATE "MODGATE_MODULE_NAME=\"${name}\"" "MODGATE_HOST_NAME=\"${modgate_HOST}\"")
  # Searched after every real include directory: a module header the target may not
  # see resolves to a stub whose #error names the requires entry to add.
  target_compile_options(${target} PRIVATE
    "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-idirafter${modgate_WORK_DIR}/guard/modules>")
  set_target_properties(${target} PROPERTIES
    INSTALL_RPATH "${rpath}"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/modules/${name}"
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/modules/${name}")
  _modgate_link_packages(${target} "${packages}")
endfunction()

# The targets and install rules of one enabled module. The resolver's generated
# _modgate_generated_modules calls it once per module, dependencies first, with every
# name and path already derived: the library and extension targets, the exported target,
# the install folder, the source lists, the targets of its requires (DEPENDS), its RPATH
# and its external packages.
function(_modgate_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg ""
    "INSTALL_DIR;LIBRARY_TARGET;EXTENSION_TARGET;EXPORTED_TARGET;INCLUDE_DIR;PYTHON_DIR;PYTHON_INIT"
    "SOURCES;BINDING;DEPENDS;RPATH;PACKAGES")
  set(_lib "${arg_LIBRARY_TARGET}")
  set(_exported FALSE)
  if(arg_SOURCES)
    # An exported anchor the extension calls, so the extension always records the
    # library as needed (whatever --as-needed does) and loading it registers the
    # library's functions.
    add_library(${_lib} SHARED ${arg_SOURCES} "${modgate_CMAKE_DIR}/modgate_anchor.cc")
    target_compile_definitions(${_lib} PRIVATE "MODGATE_ANCHOR=${_lib}_anchor")
    add_library(${arg_EXPORTED_TARGET} ALIAS ${_lib})
    if(arg_INCLUDE_DIR)
      target_include_directories(${_lib} PUBLIC "$<BUILD_INTERFACE:${arg_INCLUDE_DIR}>"
                                                "$<INSTALL_INTERFACE:${modgate_EXPORT_INCLUDE_DIR}>")
    endif()
    target_link_libraries(${_lib} PUBLIC modgate::runtime ${arg_DEPENDS})
    _modgate_module_target(${_lib} ${name} "${arg_RPATH}" "${arg_PACKAGES}")
    install(TARGETS ${_lib} EXPORT _modgate_module_targets
            LIBRARY DESTINATION "${arg_INSTALL_DIR}" RUNTIME DESTINATION "${arg_INSTALL_DIR}")
    set(_exported TRUE)
  elseif(arg_INCLUDE_DIR)
    # Headers only (or a Python extension only): dependents still see the headers.
    set(_lib ${_lib}_headers)
    add_library(${_lib} INTERFACE)
    target_include_directories(${_lib} INTERFACE "$<BUILD_INTERFACE:${arg_INCLUDE_DIR}>"
                                                 "$<INSTALL_INTERFACE:${modgate_EXPORT_INCLUDE_DIR}>")
    target_link_libraries(${_lib} INTERFACE modgate::runtime ${arg_DEPENDS})
    install(TARGETS ${_lib} EXPORT _modgate_module_targets)
    set(_exported TRUE)
  endif()
  if(_exported)
    # A plugin's modules may require this one: its headers and library, imported as
    # ${arg_EXPORTED_TARGET} from the installed host.
    string(REPLACE "${modgate_PACKAGE}::" "" _export_name "${arg_EXPORTED_TARGET}")
    set_target_properties(${_lib} PROPERTIES EXPORT_NAME "${_export_name}")
    if(arg_INCLUDE_DIR)
      install(DIRECTORY "${arg_INCLUDE_DIR}/" DESTINATION "${modgate_EXPORT_INCLUDE_DIR}")
    endif()
    set_property(GLOBAL PROPERTY _modgate_EXPORTED TRUE)
  endif()

  if(arg_BINDING)
    set(_anchor)
    if(TARGET ${arg_LIBRARY_TARGET})
      set(_anchor "${modgate_CMAKE_DIR}/modgate_anchor_use.cc")
    endif()
    pybind11_add_module(${arg_EXTENSION_TARGET} MODULE ${arg_BINDING} ${_anchor})
    if(_anchor)
      target_compile_definitions(${arg_EXTENSION_TARGET} PRIVATE "MODGATE_ANCHOR=${_lib}_anchor")
    endif()
    set_target_properties(${arg_EXTENSION_TARGET} PROPERTIES OUTPUT_NAME "${modgate_EXTENSION_NAME}")
    if(TARGET ${arg_LIBRARY_TARGET})
      target_link_libraries(${arg_EXTENSION_TARGET} PRIVATE ${arg_LIBRARY_TARGET})
    endif()
    target_link_libraries(${arg_EXTENSION_TARGET} PRIVATE modgate::runtime ${arg_DEPENDS})
    _modgate_module_target(${arg_EXTENSION_TARGET} ${name} "${arg_RPATH}" "${arg_PACKAGES}")
    install(TARGETS ${arg_EXTENSION_TARGET} LIBRARY DESTINATION "${arg_INSTALL_DIR}")
  endif()

  if(arg_PYTHON_DIR)
    install(DIRECTORY "${arg_PYTHON_DIR}/" DESTINATION "${arg_INSTALL_DIR}"
            PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE
            PATTERN "*.cc" EXCLUDE PATTERN "*.cpp" EXCLUDE PATTERN "*.h" EXCLUDE PATTERN "*.hpp" EXCLUDE)
  elseif(arg_PYTHON_INIT)
    install(FILES "${arg_PYTHON_INIT}" DESTINATION "${arg_INSTALL_DIR}")
  endif()
endfunction()

# A symbolic link `link` -> `target` (a copy where links are not allowed): how the build
# tree mirrors the installed package (the resolver stages the modules' files itself).
function(_modgate_link target link)
  get_filename_component(_dir "${link}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  file(REMOVE "${link}")
  file(CREATE_LINK "${target}" "${link}" RESULT _rc COPY_ON_ERROR SYMBOLIC)
endfunction()

# One configure warning per item of a set_items() list, indented so CMake does not
# re-wrap it.
function(_modgate_warn_each prefix)
  if(${prefix}_COUNT GREATER 0)
    math(EXPR _last "${${prefix}_COUNT} - 1")
    foreach(_i RANGE ${_last})
      message(WARNING "  modgate: ${${prefix}_${_i}}")
    endforeach()
  endif()
endfunction()

function(_modgate_print_summary)
  get_property(_rest GLOBAL PROPERTY _modgate_SUMMARY)
  # Split on newlines by hand: a reason may hold ';', which a CMake list would split.
  while(NOT _rest STREQUAL "")
    string(FIND "${_rest}" "\n" _at)
    if(_at EQUAL -1)
      message(STATUS "${_rest}")
      break()
    endif()
    string(SUBSTRING "${_rest}" 0 ${_at} _line)
    math(EXPR _at "${_at} + 1")
    string(SUBSTRING "${_rest}" ${_at} -1 _rest)
    message(STATUS "${_line}")
  endwhile()
endfunction()

#[=======================================================================[.rst:
modgate_add_modules
-------------------
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
at the end of configure. ``VERSION`` defaults to ``SKBUILD_PROJECT_VERSION_FULL`` (a
pip build), else to the host's ``[project] version``, or what setuptools-scm computes when
the version is dynamic with ``[tool.setuptools_scm]``; failing that ``0+unknown``, with a
warning. The global property ``modgate_VERSION`` holds the version used. Requires ``modgate::runtime``, ``pybind11_add_module`` and
``Python_EXECUTABLE``. Call it once, after the core's targets.
#]=======================================================================]
function(modgate_add_modules)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PROJECT_DIR;VERSION;INSTALL_DIR" "DIRECTORIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "modgate_add_modules: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(DEFINED arg_DIRECTORIES OR DEFINED arg_INSTALL_DIR)
    message(FATAL_ERROR "modgate_add_modules: DIRECTORIES and INSTALL_DIR are read from pyproject.toml now:"
                        " write them as [tool.modgate] modules-dirs = [...] and package = \"...\", and call"
                        " modgate_add_modules() without them")
  endif()
  get_property(_called GLOBAL PROPERTY _modgate_ADDED)
  if(_called)
    message(FATAL_ERROR "modgate_add_modules: called twice; list every modules folder in [tool.modgate] modules-dirs")
  endif()
  set_property(GLOBAL PROPERTY _modgate_ADDED TRUE)
  if(NOT arg_PROJECT_DIR)
    set(arg_PROJECT_DIR "${CMAKE_SOURCE_DIR}")
  endif()
  get_filename_component(modgate_PROJECT_DIR "${arg_PROJECT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(_version_args)
  if(NOT arg_VERSION)
    if(DEFINED SKBUILD_PROJECT_VERSION_FULL)
      set(arg_VERSION "${SKBUILD_PROJECT_VERSION_FULL}")
    else()
      set(_version_args --project-version)  # the plan reads it from pyproject.toml
    endif()
  endif()
  if(NOT TARGET modgate::runtime)
    message(FATAL_ERROR "modgate_add_modules: the target modgate::runtime must exist first (find_package(modgate CONFIG))")
  endif()
  if(NOT DEFINED modgate_PYTHON_EXECUTABLE)
    set(modgate_PYTHON_EXECUTABLE "${Python_EXECUTABLE}")
  endif()
  set(modgate_WORK_DIR "${CMAKE_BINARY_DIR}/modgate")

  # The values the user set: every variable with the host's option prefix, and the
  # modules' own option names. Both come from the plan, which needs the values; so the
  # last configure's are used, and the plan runs again when the values of the names it
  # gives differ (a first configure with a per-module option set, a changed prefix).
  set(_prefix "$CACHE{_modgate_OPTION_PREFIX}")
  if(_prefix STREQUAL "")
    set(_prefix "USE_MODULE_")  # a first guess only: the plan says the real prefix
  endif()
  _modgate_collect_values(modgate_VALUE_ARGS "${_prefix}" "$CACHE{_modgate_DECLARED_OPTIONS}")
  _modgate_run_resolver(plan "${modgate_WORK_DIR}/plan.cmake" ${_version_args})
  include("${modgate_WORK_DIR}/plan.cmake")
  _modgate_collect_values(_values "${modgate_OPTION_PREFIX}" "$CACHE{_modgate_DECLARED_OPTIONS};${modgate_OPTIONS}")
  if(NOT "${_values}" STREQUAL "${modgate_VALUE_ARGS}")
    set(modgate_VALUE_ARGS "${_values}")
    _modgate_run_resolver(plan "${modgate_WORK_DIR}/plan.cmake" ${_version_args})
    include("${modgate_WORK_DIR}/plan.cmake")
  endif()
  set(_modgate_OPTION_PREFIX "${modgate_OPTION_PREFIX}" CACHE INTERNAL "the host's option prefix, as the last plan said")
  _modgate_declare_options()
  _modgate_warn_each(modgate_WARNINGS)
  if(NOT arg_VERSION)
    set(arg_VERSION "${modgate_PROJECT_VERSION}")
  endif()
  set_property(GLOBAL PROPERTY modgate_VERSION "${arg_VERSION}")

  set(_modgate_found_args)
  _modgate_generated_find()
  set(_host_args)
  if(NOT modgate_HOST STREQUAL modgate_PACKAGE)
    # A plugin: the installed host's manifest says which of its modules were built.
    execute_process(
      COMMAND "${modgate_PYTHON_EXECUTABLE}" -c
              "import importlib.util as u, os, sys; s = u.find_spec(sys.argv[1]); l = list(s.submodule_search_locations or []) if s else []; print(os.path.dirname(l[0]) if l else '')"
              "${modgate_HOST}"
      OUTPUT_VARIABLE modgate_HOST_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(modgate_HOST MATCHES "\\.")
      message(FATAL_ERROR "modgate: a plugin's host must be a top-level package, not ${modgate_HOST}")
    endif()
    set(_host_args --host-dir "${modgate_HOST_ROOT}/${modgate_HOST}")
  endif()
  modgate_read_abi_version(_abi)
  if(DEFINED PYTHON_MODULE_EXTENSION)
    set(_ext "${PYTHON_MODULE_EXTENSION}")
  else()
    set(_ext "${CMAKE_SHARED_MODULE_SUFFIX}")
  endif()
  _modgate_run_resolver(resolve "${modgate_WORK_DIR}/modules.cmake"
    ${_modgate_found_args} ${_host_args}
    --stage-dir "${CMAKE_BINARY_DIR}/python/${modgate_INSTALL_DIR}" --binary-dir "${CMAKE_BINARY_DIR}"
    --stage-plan "${modgate_WORK_DIR}/stage.json"
    --manifest "${modgate_WORK_DIR}/${modgate_MANIFEST_NAME}"
    --guard-dir "${modgate_WORK_DIR}/guard"
    --generated-dir "${modgate_WORK_DIR}/generated"
    --version "${arg_VERSION}" --abi-version "${_abi}"
    --lib-prefix "${CMAKE_SHARED_LIBRARY_PREFIX}" --lib-suffix "${CMAKE_SHARED_LIBRARY_SUFFIX}"
    --ext-suffix "${_ext}")
  include("${modgate_WORK_DIR}/modules.cmake")
  # Re-run configure when the host's settings, a registration, a module's source folders
  # or the resolver change.
  file(GLOB _resolver_files "${modgate_PYTHON_PACKAGE_DIR}/_configure/*.py")
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${modgate_PROJECT_DIR}/pyproject.toml" ${modgate_WATCH} ${_resolver_files}
               "${modgate_PYTHON_PACKAGE_DIR}/_names.py")
  if(modgate_HOST_EXPORT_FILE)
    include("${modgate_HOST_ROOT}/${modgate_HOST_EXPORT_FILE}")
  endif()

  _modgate_warn_each(modgate_DEPRECATIONS)
  _modgate_generated_modules()
  get_property(_exported GLOBAL PROPERTY _modgate_EXPORTED)
  if(_exported)
    get_filename_component(_export_dir "${modgate_EXPORT_FILE}" DIRECTORY)
    get_filename_component(_export_name "${modgate_EXPORT_FILE}" NAME)
    install(EXPORT _modgate_module_targets NAMESPACE "${modgate_PACKAGE}::" FILE "${_export_name}"
            DESTINATION "${_export_dir}")
  endif()
  install(FILES "${modgate_WORK_DIR}/${modgate_MANIFEST_NAME}" DESTINATION "${modgate_INSTALL_DIR}")
  # The build tree as an importable package (<build>/python on PYTHONPATH): links made by a
  # build step from the plan resolve wrote, again only when that plan changes.
  add_custom_command(
    OUTPUT "${modgate_WORK_DIR}/stage.stamp"
    COMMAND "${modgate_PYTHON_EXECUTABLE}" -S "${modgate_PYTHON_PACKAGE_DIR}/_configure" stage
            --stage-plan "${modgate_WORK_DIR}/stage.json" --out "${modgate_WORK_DIR}/stage.stamp"
    DEPENDS "${modgate_WORK_DIR}/stage.json"
    COMMENT "modgate: linking the build tree's ${modgate_PACKAGE} package"
    VERBATIM)
  add_custom_target(modgate_build_tree ALL DEPENDS "${modgate_WORK_DIR}/stage.stamp")
  # The core's targets (modgate_core_target) learn their host's name: the registry
  # namespace their unqualified lookups use.
  set_property(GLOBAL PROPERTY _modgate_HOST "${modgate_HOST}")
  set_property(GLOBAL PROPERTY _modgate_BUILD_PACKAGE_DIR "${CMAKE_BINARY_DIR}/python/${modgate_INSTALL_DIR}")
  get_property(_core GLOBAL PROPERTY _modgate_CORE_TARGETS)
  foreach(_target IN LISTS _core)
    _modgate_core_host(${_target})
  endforeach()
  set_property(GLOBAL PROPERTY _modgate_SUMMARY "${modgate_SUMMARY}")
  set_property(GLOBAL PROPERTY modgate_ENABLED_MODULES "${modgate_ENABLED}")
  set_property(GLOBAL PROPERTY modgate_PACKAGE "${modgate_PACKAGE}")
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _modgate_print_summary)
endfunction()

function(_modgate_core_host target)
  get_property(_host GLOBAL PROPERTY _modgate_HOST)
  target_compile_definitions(${target} PRIVATE "MODGATE_HOST_NAME=\"${_host}\"")
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "MODULE_LIBRARY")
    # A core extension (the host's _core) is built into the build tree's package, so
    # PYTHONPATH=<build>/python imports this build.
    get_property(_dir GLOBAL PROPERTY _modgate_BUILD_PACKAGE_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${_dir}")
  endif()
endfunction()

#[=======================================================================[.rst:
modgate_core_target
-------------------
::

  modgate_core_target(<target>)

Marks ``<target>`` as part of the host's core: any ``#include`` of a module header fails
to compile with a message saying that the core reaches modules only by name, and its
registry lookups by unqualified name (``modgate::find_function("scan.includes")``) look
in its own host's namespace. A Python extension (a ``MODULE`` library) is built into the
build tree's package (``<build>/python/<package>``). Call it before or after
``modgate_add_modules``.
#]=======================================================================]
function(modgate_core_target target)
  target_compile_options(${target} PRIVATE
    "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-idirafter${CMAKE_BINARY_DIR}/modgate/guard/core>")
  get_property(_host GLOBAL PROPERTY _modgate_HOST)
  if(_host)
    _modgate_core_host(${target})
  else()
    set_property(GLOBAL APPEND PROPERTY _modgate_CORE_TARGETS ${target})
  endif()
endfunction()
