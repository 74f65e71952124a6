"""Source format plug-ins: one module per format, each exposing ``FORMAT`` (or ``FORMATS``).

:mod:`indexer.sources.registry` imports every module here, so adding a format is adding one file
(and one test with a real fixture). Formats parse; the registry detects, bounds and names.
"""
