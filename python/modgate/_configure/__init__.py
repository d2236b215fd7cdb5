"""Configure time only: the host's settings, registration files, discovery, the resolver,
and the writers of the CMake script and the build manifest.

CMake runs this package as a script (``python -S <package>/_configure``, see
``__main__.py``) before anything is installed, so it uses the standard library, and
``packaging`` for requirement and version strings (``versions.py`` finds it in
site-packages when a registration has one). The import-time side (``modgate``, the
loader) never imports it.
"""
