"""The SDK's own work per message, without a network: normalise, build, encode, decode.

This is the CPU the SDK adds on top of the HTTP stack for each send, measured on the Meta
provider object directly: ``whatsapp_async.recipients.normalise`` (phonenumbers parse +
is_valid + E.164 format, cached), ``provider.build_send`` (message Structs + msgspec encode) and
``provider.parse_send`` on a recorded ``HttpResponse`` (msgspec decode + typed convert +
``SendResult``). "Distinct" recipients are numbers the cache has not seen (it is cleared before
each round); "repeated" ones cycle through 100 numbers already in the cache. The distinct
totals are also measured with the core's fast E.164 path switched off (phonenumbers only), to
show what it saves.

Measurements are interleaved: every round times each of them once, so drift on the machine
spreads over all of them. Each figure is the median over rounds of the mean time per message.
``python -m benchmarks.overhead '<json spec>'`` prints one JSON line.

Example::

    python -m benchmarks.overhead '{"numbers_file": "/tmp/n.json", "n": 5000, "rounds": 5}'
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .loadserver import PHONE_NUMBER_ID, TOKEN, pin_to_cpu, success_body
from .scenarios import TEMPLATE_LANGUAGE, TEMPLATE_NAME, TEXT_BODY, template_params

__all__ = ["main", "measure"]

Step = Callable[[], None]


def _nothing() -> None:
    return None


@dataclass
class Timing:
    """One measured loop: ``before`` and ``after`` run outside the timing.

    Example::

        Timing(loop=send_all, before=clear_cache)
    """

    loop: Step
    before: Step = _nothing
    after: Step = _nothing
    samples: list[float] = field(default_factory=list)


def _undecided(candidate: str) -> str | None:
    return None


def _read_numbers(path: str, count: int) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        numbers: list[str] = json.load(fh)
    return numbers[:count]


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Per-message µs of each stage and of the whole SDK work, text and template.

    Example::

        measure({"numbers_file": path, "n": 5000, "rounds": 5})["total_us"]["text_distinct"]
    """
    from whatsapp_async import Template, Text, WhatsApp
    from whatsapp_async import recipients as recipients_module
    from whatsapp_async.provider import HttpResponse, SendOptions
    from whatsapp_async.recipients import Phone, normalise
    from whatsapp_async_providers.meta.build import build_message, encode_body

    numbers = _read_numbers(spec["numbers_file"], int(spec["n"]))
    rounds = int(spec["rounds"])
    count = len(numbers)
    provider: Any = WhatsApp(
        "meta", token=TOKEN, phone_number_id=PHONE_NUMBER_ID, base_url="http://127.0.0.1:9"
    ).provider
    build_send, parse_send = provider.build_send, provider.parse_send
    options = SendOptions()
    text = Text(TEXT_BODY)
    templates = [
        Template(TEMPLATE_NAME, language=TEMPLATE_LANGUAGE, body=list(template_params(i)))
        for i in range(count)
    ]
    responses = [
        HttpResponse(
            status=200,
            headers={"Content-Type": "application/json"},
            body=success_body(number.encode(), i),
        )
        for i, number in enumerate(numbers)
    ]
    repeated = [numbers[i % 100] for i in range(count)]
    phones = [p for p in map(normalise, numbers) if isinstance(p, Phone)]
    original_parse = recipients_module._parse_phone
    original_fast = getattr(recipients_module, "fast_e164", None)
    cache_clear = getattr(original_parse, "cache_clear", None)

    def cold() -> None:
        if cache_clear is not None:
            cache_clear()
        gc.collect()

    def warm() -> None:
        for number in repeated[:100]:
            normalise(number)
        gc.collect()

    def cold_without_fast_path() -> None:
        if original_fast is not None:
            recipients_module.fast_e164 = _undecided  # type: ignore[attr-defined, unused-ignore]
        cold()

    def restore() -> None:
        if original_fast is not None:
            recipients_module.fast_e164 = original_fast  # type: ignore[attr-defined, unused-ignore]

    def messages(kind: str) -> list[Any]:
        return [text] * count if kind == "text" else templates

    def normalise_all(source: list[str]) -> Step:
        def loop() -> None:
            for number in source:
                normalise(number)

        return loop

    def message_only(kind: str) -> Step:
        pairs = list(zip(phones, messages(kind), strict=True))

        def loop() -> None:
            for phone, message in pairs:
                build_message(message, to=phone.e164, recipient_type="individual", options=options)

        return loop

    def encode_only(kind: str) -> Step:
        built = [
            build_message(message, to=phone.e164, recipient_type="individual", options=options)
            for phone, message in zip(phones, messages(kind), strict=True)
        ]

        def loop() -> None:
            for request in built:
                encode_body(request, None)

        return loop

    def build_only(kind: str) -> Step:
        pairs = list(zip(phones, messages(kind), strict=True))

        def loop() -> None:
            for phone, message in pairs:
                build_send(phone, message, options)

        return loop

    def parse_only() -> None:
        for phone, response in zip(phones, responses, strict=True):
            parse_send(response, phone, text)

    def whole(kind: str, source: list[str]) -> Step:
        triples = list(zip(source, messages(kind), responses, strict=True))

        def loop() -> None:
            for number, message, response in triples:
                recipient = normalise(number)
                build_send(recipient, message, options)
                parse_send(response, recipient, message)

        return loop

    stages = {
        "normalise_distinct": Timing(normalise_all(numbers), cold),
        "normalise_repeated": Timing(normalise_all(repeated), warm),
        "build_message_text": Timing(message_only("text")),
        "encode_text": Timing(encode_only("text")),
        "build_send_text": Timing(build_only("text")),
        "build_message_template": Timing(message_only("template")),
        "encode_template": Timing(encode_only("template")),
        "build_send_template": Timing(build_only("template")),
        "parse_send": Timing(parse_only),
    }
    totals = {
        "text_distinct": Timing(whole("text", numbers), cold),
        "text_repeated": Timing(whole("text", repeated), warm),
        "template_distinct": Timing(whole("template", numbers), cold),
        "template_repeated": Timing(whole("template", repeated), warm),
    }
    slow = {
        "normalise_distinct": Timing(normalise_all(numbers), cold_without_fast_path, restore),
        "text_distinct": Timing(whole("text", numbers), cold_without_fast_path, restore),
        "template_distinct": Timing(whole("template", numbers), cold_without_fast_path, restore),
    }
    every = [*stages.values(), *totals.values(), *slow.values()]
    for timing in every:  # first calls: lazy metadata, compiled rules
        timing.before()
        timing.loop()
        timing.after()
    for _ in range(rounds):
        for timing in every:
            timing.before()
            started = time.perf_counter_ns()
            timing.loop()
            elapsed = time.perf_counter_ns() - started
            timing.after()
            timing.samples.append(elapsed / count / 1000)

    def medians(group: dict[str, Timing]) -> dict[str, float]:
        return {name: statistics.median(t.samples) for name, t in group.items()}

    def minima(group: dict[str, Timing]) -> dict[str, float]:
        return {name: min(t.samples) for name, t in group.items()}

    total_us = medians(totals)
    slow_us = medians(slow)
    return {
        "n": count,
        "rounds": rounds,
        "cache_cleared": cache_clear is not None,
        "stages_us": medians(stages),
        "total_us": total_us,
        "fast_path_present": original_fast is not None,
        "without_fast_path": {
            "total_us": slow_us,
            "saving_text_distinct": slow_us["text_distinct"] / total_us["text_distinct"],
        },
        "best_us": {
            "stages": minima(stages),
            "total": minima(totals),
            "without_fast_path": minima(slow),
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Run the measurement for the JSON spec in the first argument; print one JSON line.

    Example::

        python -m benchmarks.overhead '{"numbers_file": "/tmp/n.json", "n": 5000, "rounds": 5}'
    """
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(args[0])
    pin_to_cpu(spec.get("cpu"))
    print(json.dumps(measure(spec)))


if __name__ == "__main__":
    main()
