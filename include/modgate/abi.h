// modgate/abi.h — the runtime's ABI version and symbol export macro.
//
// MODGATE_ABI_VERSION changes whenever a type or function in include/modgate/ changes
// in a way that breaks code compiled against an earlier version. CMake reads it from
// here (the one source of truth) into the build manifest; module extensions compare it
// with the loaded runtime's when they load.
#pragma once

#define MODGATE_ABI_VERSION 2

#if defined(_WIN32)
#  if defined(MODGATE_RUNTIME_BUILDING)
#    define MODGATE_RUNTIME_API __declspec(dllexport)
#  else
#    define MODGATE_RUNTIME_API __declspec(dllimport)
#  endif
#else
#  define MODGATE_RUNTIME_API __attribute__((visibility("default")))
#endif
