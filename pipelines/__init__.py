"""Enrich: pure analysis functions (language, words, species, prices, ...) and the thin Scrapy
pipeline adapters that run them on crawled items. Vocabularies live in ``pipelines/vocab/``."""
