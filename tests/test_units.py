import pytest

from cnnaudit.errors import CnnauditError
from cnnaudit.units import format_bytes, format_count, parse_bytes, parse_input_size


def test_input_size_parses_one_sample_shape():
    assert parse_input_size("1,28,28") == (1, 28, 28)
    assert parse_input_size("3, 224, 224") == (3, 224, 224)
    assert parse_input_size("3x32x32") == (3, 32, 32)
    assert parse_input_size("784") == (784,)


@pytest.mark.parametrize("text", ["", "1,,28", "a,b,c", "1,28,-3", "0,28,28", "1,2,3,4,5", "1.5,2"])
def test_malformed_input_size_is_a_user_error(text):
    with pytest.raises(CnnauditError) as info:
        parse_input_size(text)
    assert "--input-size" in str(info.value)


def test_memory_sizes_use_binary_and_decimal_units():
    assert parse_bytes("8GiB") == 8 * 1024**3
    assert parse_bytes("500MB") == 500_000_000
    assert parse_bytes("1.5 KiB") == 1536
    assert parse_bytes("123") == 123
    with pytest.raises(CnnauditError):
        parse_bytes("lots")
    with pytest.raises(CnnauditError):
        parse_bytes("8 GX")


def test_counts_are_exact_when_small_and_scaled_with_unit_when_large():
    assert format_count(1820) == "1,820"
    assert format_count(28_810) == "28.81 K"
    assert format_count(4_089_184_256) == "4.09 G"
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.50 KiB"
    assert format_bytes(3 * 1024**3) == "3.00 GiB"
