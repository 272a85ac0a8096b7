#!/usr/bin/env python3
"""A controllable SMTP server for Restock's tests (aiosmtpd).

    server.py PORT DIR MODE_FILE

Stores each accepted message as DIR/<n>.eml plus DIR/<n>.json (the envelope and the
decoded headers and parts, so tests need no MIME parser). The reply is read from
MODE_FILE before every message: `accept` (or no file), `451`, or `550`; a second word
names the only recipient the mode applies to (`550 carl@example.com`): others are
accepted. "Refuses connections" is simply this server not running yet.
"""
import asyncio
import email
import email.policy
import json
import pathlib
import sys
import uuid

from aiosmtpd.controller import Controller

REPLIES = {"451": "451 4.3.0 Try again later", "550": "550 5.1.1 Mailbox unavailable"}


class Handler:
    def __init__(self, directory, mode_file):
        self.directory = directory
        self.mode_file = mode_file

    def reply_for(self, recipients):
        try:
            words = self.mode_file.read_text().split()
        except FileNotFoundError:
            words = []
        mode = words[0] if words else "accept"
        if mode not in REPLIES:
            return None
        if len(words) > 1 and words[1].lower() not in [r.lower() for r in recipients]:
            return None
        return REPLIES[mode]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.reply_for([address])
        if reply and reply.startswith("550"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self.reply_for(envelope.rcpt_tos)
        if reply:
            return reply
        name = uuid.uuid4().hex
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        summary = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in message.items()},
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
        }
        (self.directory / f"{name}.eml").write_bytes(raw)
        tmp = self.directory / f".{name}.json.tmp"
        tmp.write_text(json.dumps(summary))
        tmp.rename(self.directory / f"{name}.json")
        return "250 OK"


async def main():
    port, directory, mode_file = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Handler(directory, mode_file), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
