"""Danish number formatting: the memoised formatter gives exactly what babel gives, in any order of calls."""

from decimal import Decimal

from babel.numbers import format_decimal

from helhedsplan_eval import formatting as F


def test_memoised_formatting_equals_babel_whatever_was_formatted_before():
    F._format_rounded.cache_clear()
    values = [0, -0.0, 5, 5.0, 5.04, 5.05, -5.05, 1234.5, 17288000, 2.25, 2.675, -0.04, 0.04, 1e9 + 0.5]
    for order in (values, list(reversed(values))):
        for decimals in (0, 1, 2, 1, 0):  # a value formatted with 1 decimal never answers for 0 or 2
            for v in order:
                d = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
                d = abs(d) if d == 0 else d
                want = format_decimal(d, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale="da_DK")
                assert F.fmt_number(v, decimals) == want, (v, decimals)
    assert F.fmt_number(5, 0) == "5" and F.fmt_number(5, 1) == "5,0" and F.fmt_number(5, 2) == "5,00"
    assert F.fmt_number(-0.04, 1) == "0,0"  # no "-0,0"
    assert F.fmt_number(-0.05, 1) == "-0,1"
    assert F._format_rounded.cache_info().hits > 0

