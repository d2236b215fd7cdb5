// Compiled into every module library (modgate.cmake defines MODGATE_ANCHOR as
// <library>_anchor): an exported symbol the module's extension calls, so the extension
// always records the library as needed, whatever --as-needed does, and loading the
// extension loads the library, whose functions then register.
extern "C" __attribute__((visibility("default"))) int MODGATE_ANCHOR() { return 0; }
