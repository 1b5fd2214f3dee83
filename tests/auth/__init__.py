"""Tests of services/auth/: passwords, users, sessions and back-off, OIDC claims and sign-in."""
