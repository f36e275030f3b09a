"""Guards the PySide6 pin in pyproject.toml.

PySide6 6.12.0 releases one reference to None too many after each Python callback returns.
On Python 3.11, where None is not immortal, an app that runs all day then aborts with
"deallocating None". This runs many callbacks in a child process and expects a clean exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QWidget

    class Ping(QObject):
        sig = Signal()

    class Painted(QWidget):
        def paintEvent(self, event):
            pass

    app = QApplication(sys.argv[:1])
    ping = Ping()
    ping.sig.connect(lambda: None)
    for _ in range(30000):
        ping.sig.emit()
    widget = Painted()
    widget.resize(40, 40)
    widget.show()
    for _ in range(10000):
        widget.repaint()
    print("callbacks ok")
""")


def test_many_python_callbacks_do_not_corrupt_the_interpreter() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "callbacks ok" in done.stdout
