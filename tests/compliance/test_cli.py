"""``mediadesk check``: output contract and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

from mediadesk.compliance import check_text, cli

SAMPLE = "这是最佳产品\r\n第二行：全網最低價，电话 138 1234 5678\n"


def _write(tmp_path: Path, data: bytes, name: str = "copy.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mediadesk", "check", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=60,
    )


def test_subprocess_json_output_and_exit_1_when_something_blocks(tmp_path):
    path = _write(tmp_path, SAMPLE.encode())
    result = _run("--json", str(path))
    assert result.returncode == 1
    assert json.loads(result.stdout) == [f.as_dict() for f in check_text(SAMPLE)]


def test_subprocess_reads_stdin_pipe_and_exits_0_when_nothing_blocks():
    result = _run("-", stdin="新品上市，欢迎选购。\n".encode())
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_subprocess_unreadable_input_exits_2_without_traceback(tmp_path):
    result = _run(str(_write(tmp_path, b"abc\xff")))
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"not UTF-8" in result.stderr


def test_json_findings_have_exactly_the_contract_keys(tmp_path, capsys):
    cli.main(["--json", str(_write(tmp_path, "最佳".encode()))])
    (finding,) = json.loads(capsys.readouterr().out)
    assert set(finding) == {"start", "end", "term", "category", "severity", "suggestion"}


def test_json_suggestion_is_null_when_there_is_none(tmp_path, capsys, monkeypatch):
    from mediadesk.compliance import Lexicon, TermSpec

    lexicon = Lexicon.builtin().with_additions([TermSpec("竞品甲", "defamation", "warn")])
    monkeypatch.setattr(Lexicon, "builtin", classmethod(lambda cls: lexicon))
    cli.main(["--json", str(_write(tmp_path, "竞品甲".encode()))])
    assert json.loads(capsys.readouterr().out)[0]["suggestion"] is None


def test_json_output_is_an_empty_list_when_nothing_is_found(tmp_path, capsys):
    assert cli.main(["--json", str(_write(tmp_path, "新品上市".encode()))]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_exit_0_when_only_warnings(tmp_path):
    assert cli.main([str(_write(tmp_path, "联系电话13812345678".encode()))]) == 0


def test_exit_1_when_something_blocks(tmp_path):
    assert cli.main([str(_write(tmp_path, "全网最低价".encode()))]) == 1


def test_bom_is_skipped_and_not_counted_in_offsets(tmp_path, capsys):
    cli.main(["--json", str(_write(tmp_path, b"\xef\xbb\xbf" + "最佳".encode()))])
    assert json.loads(capsys.readouterr().out)[0]["start"] == 0


def test_crlf_is_not_translated_in_offsets(tmp_path, capsys):
    cli.main(["--json", str(_write(tmp_path, "一\r\n二\r\n最佳".encode()))])
    assert json.loads(capsys.readouterr().out)[0]["start"] == 6


def test_human_output_has_line_column_and_context(tmp_path, capsys):
    path = _write(tmp_path, b"\xef\xbb\xbf" + SAMPLE.encode())
    cli.main([str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == (
        f"{path}:2:5: block [absolute_terms] 全網最低價 → 限时特惠"
        " | 第二行：【全網最低價】，电话 138 1234"
    )


def test_human_output_has_one_line_per_finding(tmp_path, capsys):
    cli.main([str(_write(tmp_path, SAMPLE.encode()))])
    assert len(capsys.readouterr().out.splitlines()) == len(check_text(SAMPLE))


def test_human_output_escapes_invisible_characters(tmp_path, capsys):
    cli.main([str(_write(tmp_path, "最\u200b佳".encode()))])
    assert "最\\u200b佳" in capsys.readouterr().out


def test_chunked_reading_matches_the_whole_text(tmp_path, capsys, monkeypatch):
    text = (
        "普通文案，全網最低價！最*佳。電話１３８-1234-5678\r\n" * 50
    ) + "身份证11010519491231002X"
    monkeypatch.setattr(cli, "BLOCK_SIZE", 7)  # splits multi-byte characters between reads
    cli.main(["--json", str(_write(tmp_path, text.encode()))])
    assert json.loads(capsys.readouterr().out) == [f.as_dict() for f in check_text(text)]


def test_missing_file_exits_2(tmp_path, capsys):
    assert cli.main([str(tmp_path / "missing.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_directory_exits_2(tmp_path, capsys):
    assert cli.main([str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_invalid_utf8_exits_2_with_the_byte_offset(tmp_path, capsys):
    assert cli.main([str(_write(tmp_path, "最佳".encode() + b"\xc3\x28"))]) == 2
    assert "byte offset 6" in capsys.readouterr().err


def test_truncated_utf8_at_the_end_exits_2(tmp_path, capsys):
    assert cli.main([str(_write(tmp_path, "最佳".encode()[:-1]))]) == 2
    assert "truncated" in capsys.readouterr().err


def test_binary_file_exits_2(tmp_path, capsys):
    assert cli.main([str(_write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))]) == 2
    assert "binary file" in capsys.readouterr().err


def test_binary_file_with_valid_utf8_bytes_exits_2(tmp_path, capsys):
    assert cli.main([str(_write(tmp_path, b"ELF\x00\x01\x02"))]) == 2
    assert "binary file" in capsys.readouterr().err


def test_unreadable_input_prints_nothing_on_stdout(tmp_path, capsys):
    cli.main(["--json", str(_write(tmp_path, "最佳".encode() * 1000 + b"\xff"))])
    assert capsys.readouterr().out == ""


def test_missing_argument_is_a_usage_error(capsys):
    assert cli.main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(tmp_path):
    assert cli.main(["--colour", str(_write(tmp_path, b"x"))]) == 2


def test_help_exits_0(capsys):
    assert cli.main(["--help"]) == 0
    assert "FILE|-" in capsys.readouterr().out


def test_org_without_database_exits_2_with_a_clear_message(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MEDIADESK_DATA_DIR", str(tmp_path / "nodb"))
    assert cli.main(["--org", "华东区", str(_write(tmp_path, b"x"))]) == 2
    assert "no database is configured" in capsys.readouterr().err


def test_check_runs_without_importing_django(tmp_path):
    path = _write(tmp_path, "最佳".encode())
    code = (
        "import sys\n"
        "from mediadesk.cli import main\n"
        f"rc = main(['check', {str(path)!r}])\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=False, timeout=60
    )
    assert (result.returncode, result.stderr) == (1, b"")


def test_stdin_dash_reads_a_redirected_file(tmp_path):
    path = _write(tmp_path, "全网最低价".encode())
    with open(path, "rb") as fh:
        result = subprocess.run(
            [sys.executable, "-m", "mediadesk", "check", "--json", "-"],
            stdin=fh,
            capture_output=True,
            check=False,
            timeout=60,
        )
    assert (result.returncode, json.loads(result.stdout)[0]["term"]) == (1, "全网最低价")
