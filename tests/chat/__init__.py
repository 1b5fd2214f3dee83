"""Tests of services/chat.py: whole turns through the runtime (limits, redaction, the CPU engine)."""
