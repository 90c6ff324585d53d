"""Bundle entry of the window, ``KHIT Desktop`` (what ``khit-desktop`` runs when installed)."""

import sys

from khit_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
