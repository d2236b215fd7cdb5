// Compiled into a module's extension when the module has a library (MODGATE_ANCHOR as in
// modgate_anchor.cc): the call that makes the extension need the library.
extern "C" int MODGATE_ANCHOR();
static const int modgate_anchor_use = MODGATE_ANCHOR();
