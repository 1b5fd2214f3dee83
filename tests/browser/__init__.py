"""End-to-end tests in Debian Chromium (Playwright) against the real app process."""
