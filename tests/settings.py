"""The test suite's settings: the embedded development environment that `make run` sets, made
explicit here because the settings fail closed (DEBUG defaults to off). DATABASE_URL from the
command line (PostgreSQL in `make test`) still wins.

Tests of the production configuration start their own processes with helpcenter.settings and a
production environment."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from helpcenter.settings import *  # noqa: E402, F403
