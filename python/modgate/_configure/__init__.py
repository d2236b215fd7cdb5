"""Configure time only: the host's settings, registration files, discovery, the resolver,
and the writers of the CMake script and the build manifest.

CMake runs this package as a script (``python -S <package>/_configure``, see
``__main__.py``) before anything is installed, so it uses the standard library only. The
import-time side (``modgate``, the loader) never imports it.
"""
