"""The production settings plus the benchmark's floor page (see helpcenter/bench/urls.py).
Only `make bench` uses this module; the deployed site never routes to the floor."""

from helpcenter.settings import *  # noqa: F403

ROOT_URLCONF = "helpcenter.bench.urls"
