#[=======================================================================[.rst:
modgate_probe.cmake
-------------------

modgate's one package probe: does ``find_package`` of a ``native.packages`` entry load on
this machine? Configure includes this file (``modgate.cmake``) and calls
``_modgate_probe``; ``modgate matrix --packages-here`` and ``verify --packages-here`` run it
as a script, so both ask CMake the same question the same way::

  cmake -DMODGATE_PROBE_PACKAGES=<spec>[;<spec>...] -DMODGATE_PROBE_DIR=<dir>
        [-DMODGATE_PROBE_LANGUAGES=<lang>[;<lang>...]] [-D<search variable>=<value>...]
        -P modgate_probe.cmake

Each ``<spec>`` is ``<package> [<version>] [COMPONENTS <component>...]`` (spaces between
the words); each answer is printed as a line ``modgate-probe-result:<index>:<answer>``, in
the order given (``<answer>`` as ``_modgate_probe`` sets it). Script mode has no enabled
languages: ``MODGATE_PROBE_LANGUAGES`` names them (default ``C;CXX``, what ``modgate
init`` writes).
#]=======================================================================]

include_guard(GLOBAL)

#[=======================================================================[.rst:
_modgate_probe
^^^^^^^^^^^^^^
Internal. ::

  _modgate_probe(<out-var> <package> [<version>] [COMPONENTS <component>...])

Runs ``find_package(<package> ...)`` in a CMake process of its own, with this project's
languages (``MODGATE_PROBE_LANGUAGES`` in script mode) and package search variables, and
sets ``<out-var>`` to ``found``, ``missing`` or ``error:<what CMake said>``: a package
whose CMake config fails (LLVM's needs C enabled) cannot break this configure, since CMake
has no way to catch an error. A package found once is not probed again while its
arguments and the search variables stay the same (an internal cache entry); one missing
or failing is asked again on every configure, so installing it is noticed. The probe's
files are in ``<build>/modgate/probe/`` (``MODGATE_PROBE_DIR`` in script mode).
#]=======================================================================]
function(_modgate_probe out_var package)
  get_property(_modgate_pr_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  list(REMOVE_ITEM _modgate_pr_languages NONE)
  if(NOT _modgate_pr_languages AND CMAKE_SCRIPT_MODE_FILE)
    set(_modgate_pr_languages ${MODGATE_PROBE_LANGUAGES})
  endif()
  if(NOT _modgate_pr_languages)
    set(_modgate_pr_languages NONE)
  endif()
  # Lists joined with spaces here: file(WRITE) would concatenate a list's items ("CCXX").
  string(JOIN " " _modgate_pr_languages ${_modgate_pr_languages})
  set(_modgate_pr_init "")
  foreach(
    _modgate_pr_var
    IN
    ITEMS
      CMAKE_PREFIX_PATH
      CMAKE_MODULE_PATH
      CMAKE_FIND_ROOT_PATH
      CMAKE_TOOLCHAIN_FILE
      CMAKE_C_COMPILER
      CMAKE_CXX_COMPILER
      CMAKE_BUILD_TYPE
      ${package}_DIR
      ${package}_ROOT
      CMAKE_DISABLE_FIND_PACKAGE_${package}
      CMAKE_REQUIRE_FIND_PACKAGE_${package}
  )
    if(DEFINED ${_modgate_pr_var})
      string(APPEND _modgate_pr_init "set(${_modgate_pr_var} [==[${${_modgate_pr_var}}]==] CACHE STRING \"\")\n")
    endif()
  endforeach()
  string(JOIN " " _modgate_pr_args ${package} ${ARGN})
  string(
    CONCAT _modgate_pr_script
    "cmake_minimum_required(VERSION 3.21)\nproject(modgate_probe LANGUAGES ${_modgate_pr_languages})\n"
    "find_package(${_modgate_pr_args} QUIET)\nmessage(STATUS \"modgate-probe:\${${package}_FOUND}\")\n"
  )
  string(MD5 _modgate_pr_key "${_modgate_pr_script}${_modgate_pr_init}")
  if(DEFINED CACHE{_modgate_PROBED_${_modgate_pr_key}})
    set(${out_var} found PARENT_SCOPE)
    return()
  endif()
  set(_modgate_pr_dir "${modgate_WORK_DIR}/probe/${_modgate_pr_key}")
  file(WRITE "${_modgate_pr_dir}/CMakeLists.txt" "${_modgate_pr_script}")
  file(WRITE "${_modgate_pr_dir}/init.cmake" "${_modgate_pr_init}")
  set(_modgate_pr_generator "")
  if(CMAKE_GENERATOR)
    set(_modgate_pr_generator -G "${CMAKE_GENERATOR}")
  endif()
  execute_process(
    COMMAND
      "${CMAKE_COMMAND}" -S "${_modgate_pr_dir}" -B "${_modgate_pr_dir}/build" -C "${_modgate_pr_dir}/init.cmake"
      ${_modgate_pr_generator} -DCMAKE_C_COMPILER_WORKS=ON -DCMAKE_CXX_COMPILER_WORKS=ON
    RESULT_VARIABLE _modgate_pr_rc
    OUTPUT_VARIABLE _modgate_pr_out
    ERROR_VARIABLE _modgate_pr_out
  )
  file(WRITE "${_modgate_pr_dir}/output.txt" "${_modgate_pr_out}")
  if(NOT _modgate_pr_rc EQUAL 0)
    # What CMake said: the first line of text after its "CMake Error at ..." heading.
    string(REGEX MATCH "CMake Error[^\n]*\n[ \t\n]*([^\n]+)" _modgate_pr_said "${_modgate_pr_out}")
    string(STRIP "${CMAKE_MATCH_1}" _modgate_pr_said)
    if(_modgate_pr_said STREQUAL "")
      set(_modgate_pr_said "find_package(${_modgate_pr_args}) failed (exit ${_modgate_pr_rc})")
    endif()
    string(REPLACE ";" "," _modgate_pr_said "${_modgate_pr_said}")
    set(${out_var} "error:${_modgate_pr_said}" PARENT_SCOPE)
  elseif(_modgate_pr_out MATCHES "modgate-probe:(1|ON|TRUE|YES|Y)[\r\n]")
    if(NOT CMAKE_SCRIPT_MODE_FILE)
      set(_modgate_PROBED_${_modgate_pr_key} TRUE CACHE INTERNAL "find_package(${_modgate_pr_args}) loads here")
    endif()
    set(${out_var} found PARENT_SCOPE)
  else()
    set(${out_var} missing PARENT_SCOPE)
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT DEFINED MODGATE_PROBE_DIR)
    message(FATAL_ERROR "modgate_probe.cmake: set MODGATE_PROBE_DIR to a folder for the probes' files")
  endif()
  if(NOT DEFINED MODGATE_PROBE_LANGUAGES)
    set(MODGATE_PROBE_LANGUAGES C CXX)
  endif()
  set(modgate_WORK_DIR "${MODGATE_PROBE_DIR}")
  set(_modgate_probe_index 0)
  foreach(_modgate_probe_spec IN LISTS MODGATE_PROBE_PACKAGES)
    separate_arguments(_modgate_probe_words UNIX_COMMAND "${_modgate_probe_spec}")
    _modgate_probe(_modgate_probe_answer ${_modgate_probe_words})
    message(STATUS "modgate-probe-result:${_modgate_probe_index}:${_modgate_probe_answer}")
    math(EXPR _modgate_probe_index "${_modgate_probe_index} + 1")
  endforeach()
endif()
