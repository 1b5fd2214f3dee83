"""A stand-in app: starts an EngineSupervisor over the fake engine, writes its pid, then waits forever.

    supervisor_parent.py PID_FILE

Used to check that killing the app (SIGTERM or SIGKILL, no clean-up code run) leaves no engine.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from services.engine.supervisor import EngineSupervisor, LaunchSpec  # noqa: E402


def make_spec(port: int, api_key: str) -> LaunchSpec:
    return LaunchSpec(
        argv=(sys.executable, str(HERE / "fake_engine_proc.py"), "--port", str(port)),
        env={},
        base_url=f"http://127.0.0.1:{port}/v1",
        health_url=f"http://127.0.0.1:{port}/health",
        api_key=api_key,
        model_name="fake",
    )


async def main(pid_file: Path) -> None:
    engine = EngineSupervisor(make_spec, start_timeout=20, health_interval=0.05)
    await engine.start()
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(str(engine.pid))
    tmp.replace(pid_file)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
