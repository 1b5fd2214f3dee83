"""The load bench's framework baseline: Chainlit alone, streaming the engine's reply token by token as
Chainlit's own examples do (the OpenAI SDK, `stream_token` for each delta), with no sign-in, redaction,
limits or audit. Whatever hushdesk adds on top of the framework is measured against this.

Run by `bench/load.py` as `chainlit run app.py` in a scratch folder; BARE_ENGINE_URL names the engine.
"""

import os

import chainlit as cl
import openai

SYSTEM = "You are a helpful customer-service assistant."
client = openai.AsyncOpenAI(base_url=os.environ["BARE_ENGINE_URL"], api_key="none", max_retries=0,
                            http_client=openai.DefaultAsyncHttpx2Client(trust_env=False))


@cl.on_message
async def on_message(message: cl.Message) -> None:
    reply = cl.Message(content="")
    stream = await client.chat.completions.create(
        model="fake-model", stream=True, max_tokens=1024, temperature=0.7,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": message.content}])
    async for chunk in stream:
        if chunk.choices and (text := chunk.choices[0].delta.content):
            await reply.stream_token(text)
    await reply.send()
