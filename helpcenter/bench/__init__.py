"""`make bench`: the benchmark data set, settings and floor page. Nothing here is imported by the
site itself; the floor page exists only under `helpcenter.bench.settings`."""
