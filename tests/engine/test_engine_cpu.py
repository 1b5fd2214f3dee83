"""The real CPU engine: the demo model served by `transformers serve` under the supervisor."""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest

from services.config import Settings
from services.engine.demo_model import ensure_demo_model
from services.engine.supervisor import EngineSupervisor, transformers_spec
from tests.support.standins import alive


@pytest.mark.engine
@pytest.mark.timeout(180)
def test_transformers_serve_streams_the_demo_model(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    model_dir = ensure_demo_model(settings.demo_model_dir)

    def make_spec(port: int, api_key: str):
        return transformers_spec(model_dir, port=port, api_key=api_key, model_name=settings.model_name,
                                 settings=settings)

    engine = EngineSupervisor(make_spec, start_timeout=120, log_file=tmp_path / "engine.log")

    async def scenario():
        await engine.start()
        endpoint, pid = engine.endpoint, engine.pid
        assert endpoint.model_name == settings.model_name  # served under the name, not the path
        try:
            client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=0)
            stream = await client.chat.completions.create(
                model=endpoint.model_name,
                messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好, hello"}],
                max_tokens=8,
                stream=True,
                stream_options={"include_usage": True},
            )
            chunks = [chunk async for chunk in stream]
            await client.close()
            async with httpx.AsyncClient(trust_env=False) as http:
                models = await http.get(endpoint.base_url + "/models")
        finally:
            await engine.stop()
        return chunks, models, pid

    chunks, models, pid = asyncio.run(scenario())
    content = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) >= 1
    assert chunks[-1].choices[0].finish_reason in ("length", "stop")
    # transformers serve puts usage on the finish_reason chunk (it ignores stream_options)
    usage = [c.usage for c in chunks if c.usage is not None]
    assert usage and usage[-1].completion_tokens >= 1
    assert str(settings.data_dir) not in chunks[0].model  # the path does not leak into responses
    assert models.status_code == 200  # needs <HF_HOME>/hub, which child_env creates
    assert engine.state == "stopped" and not alive(pid)
