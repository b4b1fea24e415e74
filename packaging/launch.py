"""Entry point of the desktop bundle (PyInstaller runs this file)."""

import sys

from gui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
