"""Watchlists (issue 15 item 4): named lists of names or terms, matched precisely, counted, alerted on.

* :mod:`.parse` TXT/CSV import (limits); :mod:`.query` entity-or-phrase matching and the ES bodies;
* :mod:`.service` resolution, per-entry counts over time, latest matches (through the service's
  filtered ``_search``/``_msearch``, as the caller); :mod:`.routes` ``/api/v1/watchlists``.

A watchlist's alert is a saved search whose stored request is ``{"watchlist": id}``: the alert engine
builds its body from the entries (:func:`.query.any_entry_query`), and the ledger, channels and
scheduler of saved searches do the rest.
"""
