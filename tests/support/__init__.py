"""What the tests share: the doubles at the boundaries that cannot run here, and the helpers that start
the real processes. Each module is one thing; fixtures live in `tests/conftest.py`, never here.

    process          ROOT, free ports, waiting for HTTP, stopping processes, a clean environment, login tokens
    engine           FakeEngine: the fake OpenAI-compatible engine as a running process
    engine_server    that process's program (`python -m tests.support.engine_server`)
    standins         LaunchSpecs for the stand-in engine, liveness by pid
    fake_engine_proc the stand-in engine program (poses as vllm / transformers)
    supervisor_parent a stand-in app holding an EngineSupervisor (for kill tests)
    oidc_provider    a real OpenID Connect provider (panva's oidc-provider on Node, in `oidc/`)
    app              the real app as `chainlit run app.py` (App for a running one, start_app for a start)
    browser          Chromium (Playwright) page helpers: fresh_page, login, accept_consent, assistant_texts
    sockets          HTTP and socket.io clients against a running App, its audit rows
    signer           the audit signer service as a process, and the app's settings and CLI beside it
    audit            a TurnRecord to write, the audit command line
    dashboard        seeding turns at chosen times for dashboard figures
    turns            settings for a turn against a fake engine, and running turns through the runtime
"""
