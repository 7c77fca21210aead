"""``mediadesk check [--json] [--org UNIT] FILE|-``: check copy from a file or stdin.

* ``--json``: a JSON list of findings, each with ``start`` and ``end`` (Python string
  offsets into the text as written), ``term``, ``category``, ``severity`` and
  ``suggestion`` (null when none).
* otherwise one line per finding: ``FILE:LINE:COLUMN: severity [category] term → suggestion
  | context`` with 1-based line and column.

Input is UTF-8 (a BOM is skipped and not counted), read without newline translation, in
chunks: a 20 MB file is checked in bounded memory. The input is validated completely
before anything is printed, so unreadable input never produces partial output.

Exit status: 0 nothing blocks, 1 something blocks, 2 usage error or unreadable input
(missing file, not UTF-8, binary, ``--org`` without a database).
"""

from __future__ import annotations

import argparse
import codecs
import os
import sys
import tempfile
from collections.abc import Iterator
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from mediadesk.compliance.engine import Finding
    from mediadesk.compliance.lexicon import Lexicon

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
#: Bytes read per chunk (the bounded-memory unit).
BLOCK_SIZE = 1 << 20


class InputError(Exception):
    """The input cannot be checked; the message is shown to the user."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediadesk check",
        description="Check copy for Advertising Law terms, sensitive content and personal data.",
        epilog="Exit status: 0 nothing blocks, 1 something blocks, "
        "2 usage error or unreadable input.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of findings")
    parser.add_argument(
        "--org",
        metavar="UNIT",
        help="add the terms and allow-list of this org unit (needs the database)",
    )
    parser.add_argument("file", metavar="FILE|-", help="UTF-8 text file, or - for standard input")
    return parser


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK

    from mediadesk.compliance.lexicon import Lexicon, LexiconError
    from mediadesk.compliance.org_terms import OrgTermsUnavailable, lexicon_for_org

    try:
        lexicon = lexicon_for_org(args.org) if args.org else Lexicon.builtin()
    except (OrgTermsUnavailable, LexiconError) as exc:
        return _fail(str(exc))

    name = "<stdin>" if args.file == "-" else args.file
    try:
        with _open_checked(args.file, name) as source:
            return _check(source, name, lexicon, as_json=args.json)
    except InputError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _fail(message: str) -> int:
    print(f"mediadesk check: {message}", file=sys.stderr)
    return EXIT_USAGE


# -- input --------------------------------------------------------------------------------


def _decoded(source: IO[bytes], name: str) -> Iterator[str]:
    """UTF-8 text of ``source`` in chunks; a leading BOM is dropped; InputError if not text."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0  # bytes of the input before ``data``
    first = True
    while True:
        data = source.read(BLOCK_SIZE)
        if first:
            first = False
            if data.startswith(codecs.BOM_UTF8):
                data, offset = data[3:], 3
        if not data:
            break
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"{name}: binary file, not text (NUL byte at byte offset {offset + nul})"
            )
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data)
        except UnicodeDecodeError as exc:
            position = offset - pending + exc.start
            bad = (exc.object[exc.start : exc.start + 1] or b"?").hex()
            raise InputError(
                f"{name}: not UTF-8 text (invalid byte 0x{bad} at byte offset {position})"
            ) from None
        offset += len(data)
        if text:
            yield text
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text (truncated character at the end)") from None


class _open_checked:
    """Opens the input, validates all of it, and rewinds it for the check.

    A pipe on stdin is copied to a temporary file while it is validated (bounded memory).
    """

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        self._close: list[IO[bytes]] = []

    def __enter__(self) -> IO[bytes]:
        if self.path == "-":
            source = self._stdin()
        else:
            try:
                source = open(self.path, "rb")
            except FileNotFoundError:
                raise InputError(f"{self.name}: no such file") from None
            except IsADirectoryError:
                raise InputError(f"{self.name}: is a directory") from None
            except OSError as exc:
                raise InputError(f"{self.name}: cannot read ({exc.strerror or exc})") from None
            self._close.append(source)
            try:
                for _ in _decoded(source, self.name):
                    pass
                source.seek(0)
            except OSError as exc:
                raise InputError(f"{self.name}: cannot read ({exc.strerror or exc})") from None
        return source

    def _stdin(self) -> IO[bytes]:
        if sys.stdin is None:
            raise InputError(f"{self.name}: there is no standard input")
        stdin = sys.stdin.buffer
        try:
            start = stdin.tell() if stdin.seekable() else None
        except OSError:
            start = None
        if start is not None:
            for _ in _decoded(stdin, self.name):
                pass
            stdin.seek(start)
            return stdin
        spool = tempfile.TemporaryFile()
        self._close.append(spool)
        for _ in _decoded(_Tee(stdin, spool), self.name):
            pass
        spool.seek(0)
        return spool

    def __exit__(self, *exc: object) -> None:
        for handle in self._close:
            handle.close()


class _Tee:
    """Reads from ``source`` and copies what it read to ``copy``."""

    def __init__(self, source: IO[bytes], copy: IO[bytes]) -> None:
        self.source, self.copy = source, copy

    def read(self, size: int) -> bytes:
        data = self.source.read(size)
        self.copy.write(data)
        return data


# -- output -------------------------------------------------------------------------------


class _Output:
    """UTF-8 output in batches; a closed pipe stops output but not the check."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._closed = False

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size > 1 << 16:
            self.flush()

    def flush(self) -> None:
        data, self._parts, self._size = "".join(self._parts), [], 0
        if self._closed or not data:
            return
        try:
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is not None:
                sys.stdout.flush()
                buffer.write(data.encode("utf-8"))
                buffer.flush()
            else:
                sys.stdout.write(data)
                sys.stdout.flush()
        except BrokenPipeError:
            self._closed = True
            try:  # keep the interpreter from complaining when it flushes stdout at exit
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass


_JSON_FINDING = (
    '{"start": %d, "end": %d, "term": %s, "category": %s, "severity": %s, "suggestion": %s}'
)
_json_cache: dict[str | None, str] = {None: "null"}


def _json_str(value: str | None) -> str:
    """A JSON string for a value that repeats (category, severity, suggestion)."""
    encoded = _json_cache.get(value)
    if encoded is None:
        encoded = _json_cache[value] = encode_basestring(value)  # type: ignore[arg-type]
    return encoded


def _json_finding(finding: Finding) -> str:
    """``json.dumps(finding.as_dict(), ensure_ascii=False)``, several times faster."""
    return _JSON_FINDING % (
        finding.start,
        finding.end,
        encode_basestring(finding.term),
        _json_str(finding.category),
        _json_str(finding.severity),
        _json_str(finding.suggestion),
    )


_VISIBLE = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(text: str) -> str:
    """Text safe for one output line: breaks and invisible characters escaped."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else _VISIBLE.get(ch) or f"\\u{ord(ch):04x}" for ch in text
    )


def _check(source: IO[bytes], name: str, lexicon: Lexicon, *, as_json: bool) -> int:
    from mediadesk.compliance.engine import Scanner

    scanner = Scanner(lexicon)
    out = _Output()
    blocked = False
    count = 0

    def emit(findings: list[Finding]) -> None:
        nonlocal blocked, count
        for finding in findings:
            blocked = blocked or finding.severity == "block"
            if as_json:
                out.write(("[\n" if count == 0 else ",\n") + _json_finding(finding))
            else:
                line, column = scanner.position(finding.start)
                before, after = scanner.context(finding.start, finding.end)
                arrow = f" → {finding.suggestion}" if finding.suggestion else ""
                term = _visible(finding.term)
                out.write(
                    f"{name}:{line}:{column}: {finding.severity} [{finding.category}] {term}{arrow}"
                    f" | {_visible(before)}【{term}】{_visible(after)}\n"
                )
            count += 1

    for text in _decoded(source, name):
        emit(scanner.feed(text))
    emit(scanner.finish())
    if as_json:
        out.write("\n]\n" if count else "[]\n")
    out.flush()
    return EXIT_BLOCKED if blocked else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
