"""A comm whose other end is the test: widgets run for real, what they publish is recorded."""

from __future__ import annotations

import json
from typing import Any

from comm.base_comm import BaseComm

__all__ = ["RecordingComm"]


class RecordingComm(BaseComm):
    """A comm whose other end is the test: it records what the kernel publishes."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        super().__init__(**kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None,
                    buffers: Any = None, **keys: Any) -> None:
        self.sent.append({"type": msg_type, "data": data or {}, "buffers": list(buffers or [])})

    def published_bytes(self) -> int:
        """What went to the front end: the JSON of every message and its binary buffers."""
        return sum(len(json.dumps(m["data"]).encode()) + sum(len(b) for b in m["buffers"])
                   for m in self.sent)

    def custom(self) -> list[tuple[dict[str, Any], list[Any]]]:
        """The custom messages sent so far (content, buffers)."""
        return [(m["data"]["content"], m["buffers"]) for m in self.sent
                if m["data"].get("method") == "custom"]

    def from_front_end(self, content: dict[str, Any]) -> None:
        self.handle_msg({"content": {"data": {"method": "custom", "content": content}},
                         "buffers": []})

    def state_from_front_end(self, **state: Any) -> None:
        self.handle_msg({"content": {"data": {"method": "update", "state": state,
                                              "buffer_paths": []}}, "buffers": []})
