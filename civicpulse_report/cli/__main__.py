"""``python -m civicpulse_report.cli``: the same as the ``civicpulse-report`` command."""

import sys

from civicpulse_report.cli import main

sys.exit(main())
