"""``python -m sampling`` is the same as the ``sampling`` command."""
import sys

from .cli._main import main

sys.exit(main())
