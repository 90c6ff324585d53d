"""Bundle entry of the command line, ``khit`` (the same ``khit`` as a pip install)."""

import sys

from khit_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
