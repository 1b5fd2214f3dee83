"""Tests of services/engine/: the supervisor and external engine, launch specs, model integrity, the demo model."""
