"""`python -m microapp` runs the same command line as the `microapp` script."""

import sys

from microapp.cli import main

sys.exit(main())
