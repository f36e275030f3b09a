"""The bundle's entry point: exactly the ``microapp`` console script.

The arguments reach :func:`microapp.cli.main` untouched (``sys.argv[1:]``), so the frozen app
can run itself as a helper child (``[sys.executable, "_calendars"]``) the same way the
installed one does with ``[sys.executable, "-m", "microapp", "_calendars"]``. Nothing here
uses multiprocessing, so no ``freeze_support()`` is needed or wanted.

Before that, the environment that programs started by microapp inherit is given back to the
user. On Linux PyInstaller's loader puts the bundle's own folder on ``LD_LIBRARY_PATH`` and its
Qt hook sets ``QT_PLUGIN_PATH``: left there, ``notify-send``, ``xdg-open`` and the call app a
Join link opens would load the bundle's copies of GLib, Qt and friends instead of their own,
and fail in odd ways. This process no longer needs them (the loader has read them; Qt finds
its plugins through PySide6's own ``qt.conf``). ``PYINSTALLER_RESET_ENVIRONMENT`` makes a copy
of this bundle started as a child (``_calendars``) set itself up afresh, as a first launch does.
"""

import os
import sys


def _give_children_the_users_environment() -> None:
    if not getattr(sys, "frozen", False) or sys.platform in ("win32", "darwin"):
        return
    environ = os.environ
    original = environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        environ["LD_LIBRARY_PATH"] = original
    else:
        ours = os.path.normpath(getattr(sys, "_MEIPASS", ""))
        kept = [p for p in environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)
                if p and os.path.normpath(p) != ours]
        if kept:
            environ["LD_LIBRARY_PATH"] = os.pathsep.join(kept)
        else:
            environ.pop("LD_LIBRARY_PATH", None)
    for name in ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH"):
        environ.pop(name, None)
    environ["PYINSTALLER_RESET_ENVIRONMENT"] = "1"


if __name__ == "__main__":
    _give_children_the_users_environment()

    from microapp.cli import main

    sys.exit(main())
