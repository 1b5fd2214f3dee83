"""Tests of services/ops/: bootstrap, doctor, replay."""
