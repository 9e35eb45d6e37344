"""The fan-out scenarios: the same sends through the raw floor, the SDK and a peer SDK.

Each scenario opens its client once, turns a list of recipients into its own input outside the
timed region (``prepare``), and sends them all in ``run``, returning how many succeeded.
Imports are local to each scenario, so a process running the floor loads neither the SDK nor
the peer (its heap, and so its garbage collector's work, is what a bare aiohttp user has).

- ``floor_gather``: aiohttp posting pre-encoded bodies (the SDK's exact bytes), one task per
  request gathered at once, connector limit = concurrency: the floor of this stack.
- ``floor_workers``: the same requests on ``concurrency`` long-lived workers, keeping each
  decoded response (as ``SendResult.raw`` does): the bounded-memory reference for send_many.
- ``sdk_gather``: ``asyncio.gather`` of ``wa.send`` calls.
- ``sdk_send_many``: ``wa.send_many(items, concurrency=concurrency)``.
- ``pywa_gather``: pywa's async client, its httpx pool sized like ours, gathered at once.

Example::

    scenario = SCENARIOS["sdk_gather"](base_url, settings, concurrency=100, kind="text")
    await scenario.open()
    sent = await scenario.run(scenario.prepare(numbers))
    await scenario.close()
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

__all__ = [
    "SCENARIOS",
    "TEXT_BODY",
    "MessageKind",
    "Scenario",
    "template_params",
    "wire_body",
]

MessageKind = Literal["text", "template"]

TEXT_BODY = "Your order has shipped"
TEMPLATE_NAME = "order_update"
TEMPLATE_LANGUAGE = "en_US"
API_VERSION = "v23.0"
_FIRST_NAMES = ("Ana", "Bruno", "Chloé", "Dev", "Emeka", "Fatima", "Giulia", "Hiro")


def template_params(index: int) -> tuple[str, str]:
    """The personalised body parameters of the template sent to the ``index``-th recipient.

    Example::

        template_params(3)  # ('Dev', 'A-100003')
    """
    return _FIRST_NAMES[index % len(_FIRST_NAMES)], f"A-{100000 + index}"


_encoder = msgspec.json.Encoder()


def wire_body(number: str, kind: MessageKind, index: int) -> bytes:
    """The JSON body the SDK sends for this message (checked byte for byte by the runner).

    Example::

        wire_body("+14155552671", "text", 0)
        # b'{"messaging_product":"whatsapp","recipient_type":"individual","to":...'
    """
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": number,
    }
    if kind == "text":
        body["type"] = "text"
        body["text"] = {"body": TEXT_BODY, "preview_url": False}
    else:
        name, order = template_params(index)
        body["type"] = "template"
        body["template"] = {
            "name": TEMPLATE_NAME,
            "language": {"code": TEMPLATE_LANGUAGE},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": name}, {"type": "text", "text": order}],
                }
            ],
        }
    return _encoder.encode(body)


class Scenario(abc.ABC):
    """One way of sending the fan-out; see the module docstring for the list.

    Example::

        scenario = FloorGather(base_url, settings, concurrency=100, kind="text")
    """

    name: str = ""

    def __init__(
        self, base_url: str, settings: dict[str, str], *, concurrency: int, kind: MessageKind
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.concurrency = concurrency
        self.kind = kind

    @property
    def url(self) -> str:
        """The send endpoint (Meta's path under the load server)."""
        return f"{self.base_url}/{API_VERSION}/{self.settings['phone_number_id']}/messages"

    @abc.abstractmethod
    async def open(self) -> None:
        """Create the client (its connections open during the warm-up)."""

    @abc.abstractmethod
    def prepare(self, numbers: Sequence[str]) -> Any:
        """The scenario's own input for sending to ``numbers`` (built outside the timing)."""

    @abc.abstractmethod
    async def run(self, payload: Any) -> int:
        """Send everything in ``payload``; the number of successful sends."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the client."""


class _AiohttpFloor(Scenario):
    def __init__(
        self, base_url: str, settings: dict[str, str], *, concurrency: int, kind: MessageKind
    ) -> None:
        super().__init__(base_url, settings, concurrency=concurrency, kind=kind)
        self._session: Any = None
        self._headers = {
            "Authorization": f"Bearer {settings['token']}",
            "Content-Type": "application/json",
        }

    async def open(self) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30, sock_connect=10)
        )

    def prepare(self, numbers: Sequence[str]) -> list[bytes]:
        return [wire_body(number, self.kind, i) for i, number in enumerate(numbers)]

    async def close(self) -> None:
        await self._session.close()


class FloorGather(_AiohttpFloor):
    """Raw aiohttp, pre-encoded bodies, every request a task gathered at once.

    Example::

        FloorGather(base_url, settings, concurrency=100, kind="text")
    """

    name = "floor_gather"

    async def run(self, payload: list[bytes]) -> int:
        session, url, headers = self._session, self.url, self._headers

        async def post(body: bytes) -> int:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                status: int = response.status
                return status

        statuses = await asyncio.gather(*(post(body) for body in payload), return_exceptions=True)
        return sum(1 for status in statuses if status == 200)


class FloorWorkers(_AiohttpFloor):
    """Raw aiohttp on ``concurrency`` long-lived workers, keeping every decoded response.

    Example::

        FloorWorkers(base_url, settings, concurrency=100, kind="text")
    """

    name = "floor_workers"

    async def run(self, payload: list[bytes]) -> int:
        session, url, headers = self._session, self.url, self._headers
        decoder = msgspec.json.Decoder()
        kept: list[Any] = [None] * len(payload)
        jobs = iter(enumerate(payload))

        async def worker() -> None:
            for index, body in jobs:
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        raw = await response.read()
                        if response.status == 200:
                            kept[index] = decoder.decode(raw)
                except Exception as exc:  # one failure must not stop the worker
                    kept[index] = exc

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(payload)))))
        return sum(1 for item in kept if isinstance(item, dict))


class _Sdk(Scenario):
    def __init__(
        self, base_url: str, settings: dict[str, str], *, concurrency: int, kind: MessageKind
    ) -> None:
        super().__init__(base_url, settings, concurrency=concurrency, kind=kind)
        self.client: Any = None

    async def open(self) -> None:
        from whatsapp_async import WhatsApp

        self.client = WhatsApp(
            "meta",
            token=self.settings["token"],
            phone_number_id=self.settings["phone_number_id"],
            base_url=self.base_url,
            rate_limit=None,
            connection_limit=max(self.concurrency, 1),
        )

    def prepare(self, numbers: Sequence[str]) -> list[tuple[str, Any]]:
        from whatsapp_async import Template, Text

        if self.kind == "text":
            text = Text(TEXT_BODY)
            return [(number, text) for number in numbers]
        return [
            (
                number,
                Template(TEMPLATE_NAME, language=TEMPLATE_LANGUAGE, body=list(template_params(i))),
            )
            for i, number in enumerate(numbers)
        ]

    async def close(self) -> None:
        await self.client.aclose()


class SdkGather(_Sdk):
    """``asyncio.gather`` of one ``wa.send`` per item.

    Example::

        SdkGather(base_url, settings, concurrency=100, kind="template")
    """

    name = "sdk_gather"

    async def run(self, payload: list[tuple[str, Any]]) -> int:
        from whatsapp_async import SendResult

        send = self.client.send
        results = await asyncio.gather(
            *(send(to, message) for to, message in payload), return_exceptions=True
        )
        return sum(1 for result in results if isinstance(result, SendResult))


class SdkSendMany(_Sdk):
    """``wa.send_many(items, concurrency=concurrency)``.

    Example::

        SdkSendMany(base_url, settings, concurrency=100, kind="text")
    """

    name = "sdk_send_many"

    async def run(self, payload: list[tuple[str, Any]]) -> int:
        bulk = await self.client.send_many(payload, concurrency=self.concurrency)
        sent: int = bulk.sent
        return sent


class PywaGather(Scenario):
    """pywa's async client over an httpx pool of ``concurrency`` keep-alive connections.

    pywa builds its Graph URLs from the httpx client's ``base_url``, which it sets to Meta's
    host at construction; pointing that client at the load server afterwards is the only change.

    Example::

        PywaGather(base_url, settings, concurrency=100, kind="text")
    """

    name = "pywa_gather"

    def __init__(
        self, base_url: str, settings: dict[str, str], *, concurrency: int, kind: MessageKind
    ) -> None:
        super().__init__(base_url, settings, concurrency=concurrency, kind=kind)
        self._http: Any = None
        self._wa: Any = None

    async def open(self) -> None:
        import httpx  # type: ignore[import-not-found, import-untyped, unused-ignore]
        from pywa_async.client import WhatsApp  # type: ignore[import-not-found, import-untyped, unused-ignore]

        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        self._http = httpx.AsyncClient(limits=limits, timeout=30.0)
        self._wa = WhatsApp(
            phone_id=self.settings["phone_number_id"],
            token=self.settings["token"],
            session=self._http,
            api_version=API_VERSION.lstrip("v"),
        )
        # pywa set base_url to https://graph.facebook.com/v23.0; keep its path, swap the host.
        self._http.base_url = f"{self.base_url}{self._http.base_url.path.rstrip('/')}"

    def prepare(self, numbers: Sequence[str]) -> Any:
        if self.kind == "text":
            return list(numbers)
        from pywa_async.types.templates import BodyText  # type: ignore[import-not-found, import-untyped, unused-ignore]

        body_params: Any = BodyText.params  # pywa types it as an instance method
        return [(number, [body_params(*template_params(i))]) for i, number in enumerate(numbers)]

    async def run(self, payload: Any) -> int:
        wa = self._wa
        if self.kind == "text":
            calls = [wa.send_message(to=number, text=TEXT_BODY) for number in payload]
        else:
            from pywa_async.types.templates import TemplateLanguage  # type: ignore[import-not-found, import-untyped, unused-ignore]

            english = TemplateLanguage.ENGLISH_US
            calls = [
                wa.send_template(to=number, name=TEMPLATE_NAME, language=english, params=params)
                for number, params in payload
            ]
        results = await asyncio.gather(*calls, return_exceptions=True)
        return sum(1 for result in results if not isinstance(result, BaseException))

    async def close(self) -> None:
        await self._http.aclose()


SCENARIOS: dict[str, type[Scenario]] = {
    cls.name: cls for cls in (FloorGather, FloorWorkers, SdkGather, SdkSendMany, PywaGather)
}
"""Every scenario by name."""
