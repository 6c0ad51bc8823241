"""``python -m sampling`` is the same as the ``sampling`` command."""
import sys

from .cli import main

sys.exit(main())
