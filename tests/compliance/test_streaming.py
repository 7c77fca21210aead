"""Chunked checking gives exactly the findings of the whole text, with global offsets."""

import random

from mediadesk.compliance import Scanner, check_text, scan_chunks

PIECES = [
    "最", "佳", "全网最低价", "全網", "最低價", "第一", "第 一", "次", "近", " ", "*",
    "\u200b", "，", "。", "\n", "\r\n", "No", ".", "1", "TOP1", "0", "138", "1234", "5678",
    "-", "11010519491231002X", "6222021234567894", "abc", "@", "qq", ".com", "本品牌", "迄今",
    "2023年", "数据来源", "销量第一", "“", "”", "‘", "’", "禁用", "医院", "🔥", " " * 30,
    "*" * 26, "保本", "国家级", "新品上市欢迎选购",
]  # fmt: skip


def _text(seed: int, pieces: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PIECES) for _ in range(pieces))


def _chunks(text: str, seed: int, sizes: tuple[int, ...]) -> list[str]:
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(text):
        size = rng.choice(sizes)
        out.append(text[i : i + size])
        i += size
    return out


def test_random_chunkings_give_the_whole_text_findings():
    for seed in range(40):
        text = _text(seed, 400)
        assert list(scan_chunks(_chunks(text, seed, (1, 2, 3, 7, 40, 200)), None)) == check_text(
            text
        )


def test_long_text_in_small_chunks_gives_the_whole_text_findings():
    text = _text(99, 6000)
    assert list(scan_chunks(_chunks(text, 1, (1, 50, 333, 4000)))) == check_text(text)


def test_term_split_across_chunks_is_found_once():
    assert [(f.start, f.term) for f in scan_chunks(["x" * 600 + "全网最", "低价" + "y" * 600])] == [
        (600, "全网最低价")
    ]


def test_evasion_split_across_chunks_is_found_once():
    findings = list(scan_chunks(["今天最", "*", "\u200b", "佳"]))
    assert [(f.start, f.end, f.term) for f in findings] == [(2, 6, "最*\u200b佳")]


def test_long_insertion_run_split_across_chunks_still_separates():
    assert list(scan_chunks(["开" + " " * 20, " " * 20 + "光"])) == []


def test_offsets_are_global_across_chunks():
    chunks = ["新品" * 1000, "\n最佳"]
    (finding,) = list(scan_chunks(chunks))
    assert (finding.start, finding.end) == (2001, 2003)


def test_memory_stays_bounded_while_streaming():
    scanner = Scanner()
    peak = 0
    for _ in range(300):
        scanner.feed("新品上市，欢迎到店选购。最佳之选！" * 200)
        peak = max(peak, scanner.buffered_chars)
    scanner.finish()
    assert peak < 3 * len("新品上市，欢迎到店选购。最佳之选！" * 200) + 2000


def test_line_and_column_are_tracked_across_chunks():
    scanner = Scanner()
    found = scanner.feed("第一行\n" * 500)
    found += scanner.feed("这是\r\n最佳")
    positions = [scanner.position(f.start) for f in found + scanner.finish()]
    assert positions[-1] == (502, 1)
