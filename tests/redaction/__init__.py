"""Tests of redaction/: detectors, name layers, streaming, custom recognizers, quality on the labelled set."""
