"""Tests of services/audit/: the chained log, checkpoints and the signer, verify/export/purge, dashboard figures."""
