"""Tests of services/kb: parsing, chunking, segmentation, the index and its command line."""
