"""Tests of services/web/ and the app process: security middleware, socket guard, pages, frontend, start-up."""
