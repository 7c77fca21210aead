"""A platform's refusal reaches a zh-Hans reader in Chinese, not in the connectors' English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from mediadesk.platforms import connectors
from mediadesk.platforms.connectors import errors
from mediadesk.platforms.connectors.wechat import MASS_STATES
from mediadesk.platforms.connectors.wechat_api import INVALID, NOT_AUTHORISED
from mediadesk.platforms.connectors.wechat_lookup import PUBLISH_STATES
from mediadesk.platforms.messages import said

ERROR_CLASSES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.ConnectorError)
}
HELPERS = {"_invalid", "invalid"}  # the rule modules' shorthands for InvalidContent


def _raised_sentences() -> set[str]:
    """Every fixed sentence a connector module passes to one of the errors."""
    found = set()
    for path in Path(connectors.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if (name in ERROR_CLASSES or name in HELPERS) and isinstance(first, ast.Constant):
                if isinstance(first.value, str) and first.value:
                    found.add(first.value)
    return found


def _table_sentences() -> set[str]:
    return {
        *(message for _field, message in INVALID.values()),
        *NOT_AUTHORISED.values(),
        *(reason for _state, reason in MASS_STATES.values() if reason),
        *(reason for _state, reason in PUBLISH_STATES.values() if reason),
    }


def test_the_scan_finds_the_connectors_sentences():
    sentences = _raised_sentences()
    assert "WeChat rejected the account's access token even after renewing it." in sentences
    assert "Weibo refused the picture (type or size)." in sentences
    assert len(sentences) > 40


@pytest.mark.parametrize("sentence", sorted(_raised_sentences() | _table_sentences()))
def test_every_fixed_sentence_has_a_chinese_translation(sentence):
    with translation.override("zh-hans"):
        assert said(sentence) != sentence, f"no zh-Hans translation in platforms/locale: {sentence}"


def test_an_error_speaks_the_language_active_when_it_is_read():
    error = errors.InvalidContent("The title is longer than WeChat allows.", field="title")
    with translation.override("zh-hans"):
        assert error.message == "标题超出微信允许的长度。"
        assert error.fields == {"title": "标题超出微信允许的长度。"}
    assert error.message == "The title is longer than WeChat allows."


def test_a_logged_error_stays_in_english():
    error = errors.TokenExpired(
        "WeChat rejected the account's access token even after renewing it.",
        platform="WeChat",
        raw_code=42001,
    )
    with translation.override("zh-hans"):
        assert str(error) == (
            "WeChat rejected the account's access token even after renewing it. [WeChat 42001]"
        )
