#!/usr/bin/env python3
"""A controllable SMTP server for Restock's tests (aiosmtpd).

    server.py PORT DIR MODE_FILE [--tally]

Stores each accepted message as DIR/<n>.eml plus DIR/<n>.json (the envelope and the
decoded headers and parts, so tests need no MIME parser). With --tally it only appends
"<Message-ID> TAB <recipient>" per accepted message to DIR/tally.log, flushed before the
250 reply, so the crash tests can count tens of thousands of messages by Message-ID. The reply is read from
MODE_FILE before every message: `accept` (or no file), `451`, or `550`; a second word
names the only recipient the mode applies to (`550 carl@example.com`): others are
accepted. Several lines are several such rules, the first that applies wins
(`451 bert@example.com` then `550 carl@example.com`). "Refuses connections" is simply
this server not running yet. The server never offers STARTTLS: a client that requires it
sees a plain server.
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
    def __init__(self, directory, mode_file, tally):
        self.directory = directory
        self.mode_file = mode_file
        self.tally = open(directory / "tally.log", "a", encoding="utf-8") if tally else None

    def reply_for(self, recipients):
        try:
            lines = self.mode_file.read_text().splitlines()
        except FileNotFoundError:
            lines = []
        lowered = [r.lower() for r in recipients]
        for line in lines:
            words = line.split()
            if not words or words[0] not in REPLIES:
                continue
            if len(words) > 1 and words[1].lower() not in lowered:
                continue
            return REPLIES[words[0]]
        return None

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
        raw = envelope.original_content or envelope.content
        if self.tally:
            return self.count(raw, envelope.rcpt_tos)
        name = uuid.uuid4().hex
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

    def count(self, raw, recipients):
        head = raw.split(b"\r\n\r\n", 1)[0]
        message_id = ""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line[len(b"message-id:"):].strip().decode("ascii", "replace")
                break
        for recipient in recipients:
            self.tally.write(f"{message_id}\t{recipient}\n")
        self.tally.flush()
        return "250 OK"


async def main():
    port, directory, mode_file = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    tally = "--tally" in sys.argv[4:]
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Handler(directory, mode_file, tally), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
