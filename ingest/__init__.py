"""The one way in: every crawled page and every imported line becomes a document here.

Reads raw items (from the spiders of ``crawlers``, from ``wildwatch import`` lines, from the
evidence archive); runs the pure analysis of ``pipelines`` in a worker pool; builds the document
(``ingest.documents``), links near-duplicates (``ingest.duplicates``), commits batches to the
index (``ingest.indexer``) and only then marks the page as known to the crawl state. Sits above
``crawlers``, ``pipelines`` and ``search`` and below ``schedules``/``web``; imported by none of
the packages it uses.
"""
