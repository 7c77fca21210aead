"""CMP-4: phone numbers and e-mail (warn), ID-card and bank-card numbers (block)."""

from mediadesk.compliance import check_text
from mediadesk.compliance.personal_data import id_card_valid, luhn_valid

from .helpers import hits


def test_mobile_number_is_a_warning():
    assert hits("电话13812345678") == [("13812345678", "phone_number", "warn")]


def test_mobile_number_written_with_dashes_is_found():
    assert hits("电话138-1234-5678") == [("138-1234-5678", "phone_number", "warn")]


def test_mobile_number_with_country_code_is_found():
    assert hits("电话 +86 138 1234 5678") == [("86 138 1234 5678", "phone_number", "warn")]


def test_mobile_number_in_full_width_digits_is_found():
    assert hits("电话１３８１２３４５６７８") == [
        ("１３８１２３４５６７８", "phone_number", "warn")
    ]


def test_mobile_number_next_to_another_number_is_found():
    assert hits("订单20231020 13812345678") == [("13812345678", "phone_number", "warn")]


def test_eleven_digits_that_are_not_a_mobile_number_are_ignored():
    assert check_text("办公室电话 010-12345678，热线 400-820-8820") == []


def test_email_address_is_a_warning():
    assert hits("投稿邮箱 editor@example.com") == [("editor@example.com", "email_address", "warn")]


def test_full_width_email_address_is_found():
    assert hits("邮箱ａｂｃ＠ｑｑ．ｃｏｍ") == [("ａｂｃ＠ｑｑ．ｃｏｍ", "email_address", "warn")]


def test_id_card_number_with_valid_checksum_blocks():
    assert hits("身份证11010519491231002X") == [("11010519491231002X", "id_card_number", "block")]


def test_id_card_number_with_wrong_checksum_is_ignored():
    assert check_text("编号110105194912310021") == []


def test_id_card_number_written_in_groups_is_found():
    assert hits("身份证 110105 19491231 002x") == [
        ("110105 19491231 002x", "id_card_number", "block")
    ]


def test_bank_card_number_with_valid_luhn_blocks():
    assert hits("卡号6222021234567894") == [("6222021234567894", "bank_card_number", "block")]


def test_bank_card_number_with_wrong_luhn_is_ignored():
    assert check_text("卡号6222021234567895") == []


def test_bank_card_number_written_in_groups_is_found():
    assert hits("卡号 6222 0212 3456 7894") == [
        ("6222 0212 3456 7894", "bank_card_number", "block")
    ]


def test_luhn_check():
    assert (luhn_valid("4367421234567896"), luhn_valid("4367421234567897")) == (True, False)


def test_id_card_check_rejects_an_impossible_birth_date():
    assert id_card_valid("110105194902300023") is False
