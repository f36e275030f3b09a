"""microapp: micro-moments of connection, from the tray."""

__version__ = "0.1.0"
APP_NAME = "microapp"
# The desktop-wide id: desktop entry, AppStream, icons, macOS LaunchAgent, Wayland app id.
APP_ID = "io.github.microapp.Microapp"
