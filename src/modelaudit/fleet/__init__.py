"""Fleet audits: every model an organisation uses, scanned together.

* :mod:`~modelaudit.fleet.inventory` reads the inventory (YAML, CSV or a plain list of targets).
* :mod:`~modelaudit.fleet.shared` is one ``SourceSet`` shared by every scan of a run: each repo's metadata
  is fetched once for the whole fleet, and concurrent requests for the same repo wait for the first.
* :mod:`~modelaudit.fleet.runner` runs the per-model scans on an engine (a bounded local pool, or Ray) and
  decides which models need a rescan (:mod:`~modelaudit.fleet.freshness`).
* :mod:`~modelaudit.fleet.store` keeps every run in one SQLite file; :mod:`~modelaudit.fleet.changes`
  compares two runs; :mod:`~modelaudit.fleet.dashboard` renders the fleet HTML page.
"""
