"""`python -m capture`: see capture/capture.py."""

import sys

from capture.capture import main

sys.exit(main())
