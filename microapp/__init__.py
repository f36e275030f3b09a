"""microapp: micro-moments of connection, from the tray."""

__version__ = "0.1.0"
APP_NAME = "microapp"
