"""Generated inputs for the differential validation test: valid, edge and junk values per kind.

Each strategy draws what a user may type (text) or pass from Python (numbers, lists, dicts), with
the edge cases the dispatcher's readers (astropy's angle and time parsers, Python's ``float``,
``str.split``) treat in their own way spelled out as samples.
"""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import strategies as st

#: Lone surrogates: text that cannot be encoded as UTF-8, so it cannot be sent at all.
UNSENDABLE = ["\ud800", "abc\udfff", "12\udc80.5"]

NUMBER_EDGES = [
    "", " ", "0", "-0", "+5", ".5", "5.", "-.5", "1e-05", "1E3", "1.5e1", "1.5E-3", "2e10",
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "1" * 400, "1" * 30,
    "0x10", "1_000", "１２", "١٢", "٣.٥", " 12 ", "12\n", "\t7", "5d", "10 deg", "1e3d", "3 arcmin",
    "1,5", "1.2.3", "--5", "+-5", "5-", "e5", ".", "-", "+", "1e", "1e+", "0.00001", "10000000000000000.0",
]

SEXAGESIMAL_EDGES = [
    "9 20 23", "-0:30:00", "17h45m40s", "17:45:40.0", "-29d00m28s", "-29:00:28", "+22:00:52",
    "5h34m31.9s", "05 34 31.9", "12h", "12d", "1°2'3\"", "-0 30 00", "90:00:00", "400:00:00",
    "10:61:00", "10:00:61", "1:2", "1::2", "1d2d", "h", "1h2", "  9 20 23  ",
]

TIME_EDGES = [
    "", " ", "2017-03-06T13:26:48.000", "2017-03-06T13:26:48", "2017-03-06", "2017-03-06T13:26",
    "2017-03-06 13:26:48", " 2017-03-06T13:26:48", "2017-03-06T13:26:48 ", "2017-13-06T00:00:00",
    "2017-02-30T00:00:00", "2017-03-06T24:00:00", "2016-12-31T23:59:60", "2017-03-06T13:26:48Z",
    "2017-03-06T13:26:48+01:00", "17-03-06T13:26:48", "2017-3-6T1:2:3", "58000", "58000.5",
    "57818.5583333", "-1", "0", "1e5", "nan", "inf", "now", "yesterday", "J2000", "2017.5",
    "2017:065", "2017:065:13:26:48", "１２", "2017-03-06T13:26:48.123456789",
]

#: Formats both astropy releases involved (the client's and the server's) know.
TIME_FORMATS = [
    "isot", "iso", "fits", "mjd", "jd", "unix", "cxcsec", "gps", "decimalyear", "jyear",
    "byear", "yday", "jyear_str", "byear_str",
]


def _sexagesimal() -> st.SearchStrategy[str]:
    parts = st.tuples(
        st.sampled_from(["", "-", "+"]),
        st.integers(0, 400),
        st.integers(0, 70),
        st.floats(0, 70, allow_nan=False).map(lambda s: f"{s:.{int(s) % 4}f}"),
    )
    styles = st.sampled_from(["{}{}:{}:{}", "{}{} {} {}", "{}{}d{}m{}s", "{}{}h{}m{}s", "{}{}:{}"])
    return st.tuples(styles, parts).map(lambda t: t[0].format(*t[1][: t[0].count("{}")]))


def number_texts() -> st.SearchStrategy[object]:
    """Decimal numbers (as texts and floats), exponents, non-finite values and junk."""
    return st.one_of(
        st.floats(-1e6, 1e6).map(repr),
        st.floats(-400, 400, allow_nan=False).map(lambda x: f"{x:.4f}"),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.integers(-(10**6), 10**6).map(str),
        st.sampled_from(NUMBER_EDGES),
        st.text(alphabet="0123456789.+-eE ", min_size=1, max_size=8),
        st.text(max_size=10),
    )


def angle_texts() -> st.SearchStrategy[object]:
    """Everything a number may be, plus sexagesimal text with and without unit letters."""
    return st.one_of(
        number_texts(),
        _sexagesimal(),
        st.sampled_from(SEXAGESIMAL_EDGES),
        st.text(alphabet="0123456789.:+-hdms ", min_size=1, max_size=10),
    )


def time_texts() -> st.SearchStrategy[object]:
    """ISOT and other date texts, numbers (MJD and others), edge dates and junk."""
    dates = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2060, 1, 1))
    return st.one_of(
        dates.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
        dates.map(lambda d: d.isoformat(timespec="milliseconds")),
        dates.map(lambda d: d.strftime("%Y-%m-%d")),
        dates.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
        st.floats(0, 80000, allow_nan=False).map(lambda x: f"{x:.5f}"),
        st.floats(-1e9, 2e9, allow_nan=False).map(repr),
        st.sampled_from(TIME_EDGES),
        st.text(alphabet="0123456789-:T. ", min_size=1, max_size=20),
        st.text(max_size=10),
    )


def time_with_format() -> st.SearchStrategy[tuple[object, str]]:
    """A time and the ``T_format`` it is given in."""
    return st.tuples(time_texts(), st.sampled_from(TIME_FORMATS))


def string_texts() -> st.SearchStrategy[object]:
    """Any printable or unprintable text, names with spaces and signs."""
    return st.one_of(
        st.text(max_size=20),
        st.sampled_from(["", " ", "Crab", " Crab ", "1E 1740.7-2942", "\x00", "a\nb", "ÿ", "日本", "<b>x</b>"]),
    )


_SCW = st.one_of(
    st.from_regex(r"\A[0-9]{12}(\.[0-9]{3})?\Z"),
    st.sampled_from(["066500220010.001", "066500230010", "０６６５００２２００１０", "٠٦٦٥٠٠٢٢٠٠١٠"]),
    st.text(alphabet="0123456789.", min_size=1, max_size=16),
    st.text(min_size=1, max_size=8),
)

_SEPARATORS = st.sampled_from([",", ", ", " ", "\n", ";", " ,", ",,"])


def list_texts(items: st.SearchStrategy[str] = _SCW) -> st.SearchStrategy[object]:
    """Ids joined by commas, spaces, newlines or semicolons, JSON text, and junk."""
    lists = st.lists(items, max_size=5)
    return st.one_of(
        st.tuples(_SEPARATORS, lists).map(lambda t: t[0].join(t[1])),
        lists.map(json.dumps),
        st.sampled_from(["", " ", "[]", "[", '["a", "b"]', "a", "a,b", "a, b", "a b"]),
        st.text(max_size=12),
    )


LIST_EDGES = [[], [""], ["x", ""], ["a,b"], ["a", "b,c"], ["a b"], ["a", "b c"], [" a "], ["a\nb"],
              ["066500220010.001 066500230010.001"], ["066500220010.001", "066500230010.001"]]


def python_lists(items: st.SearchStrategy[str] = _SCW) -> st.SearchStrategy[list[str]]:
    """Lists given from Python, whose items the client must deliver unchanged (or refuse)."""
    return st.one_of(st.lists(items, min_size=0, max_size=4), st.sampled_from(LIST_EDGES))


VALID_CATALOG = {
    "cat_frame": "fk5",
    "cat_coord_units": "deg",
    "cat_column_list": [[0, 1], ["Crab", "Cyg X-1"], [5.0, 6.5], [83.63, 299.59], [22.01, 35.2]],
    "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
    "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U7"], ["significance", "<f8"],
                         ["ra", "<f8"], ["dec", "<f8"]],
    "cat_lat_name": "dec",
    "cat_lon_name": "ra",
}


@st.composite
def catalogs(draw: st.DrawFn) -> object:
    """Catalog JSON texts and dicts: valid ones of any size, and each way of breaking one."""
    rows = draw(st.integers(0, 4))
    coordinate = st.one_of(
        st.floats(-720, 720, allow_nan=False),
        st.floats(-90, 90, allow_nan=False),
        st.sampled_from(["a", "10d", "10", "1e-05", None, "", True, "12:30:00"]),
    )
    lon = draw(st.lists(coordinate if draw(st.booleans()) else st.floats(0, 360), min_size=rows,
                        max_size=rows))
    lat = draw(st.lists(coordinate if draw(st.booleans()) else st.floats(-90, 90), min_size=rows,
                        max_size=rows))
    catalog = json.loads(json.dumps(VALID_CATALOG))
    catalog["cat_column_list"] = [
        list(range(rows)),
        [f"src {i}" for i in range(rows)],
        draw(st.lists(st.floats(0, 100), min_size=rows, max_size=rows)),
        lon,
        lat,
    ]
    breakage = draw(st.sampled_from([
        "none", "none", "none", "drop_key", "frame", "units", "short_column", "names", "drop_column",
        "lon_name", "not_json", "json_kind", "empty_text",
    ]))
    if breakage == "drop_key":
        catalog.pop(draw(st.sampled_from(sorted(catalog))))
    elif breakage == "frame":
        catalog["cat_frame"] = draw(st.sampled_from(["icrs", "galactic", "FK5", "junk", "", 5]))
    elif breakage == "units":
        catalog["cat_coord_units"] = draw(st.sampled_from(["rad", "arcsec", "junk", "", "hourangle"]))
    elif breakage == "short_column" and rows:
        catalog["cat_column_list"][draw(st.integers(0, 4))].pop()
    elif breakage == "names":
        catalog["cat_column_names"] = catalog["cat_column_names"][: draw(st.integers(0, 4))]
    elif breakage == "drop_column":
        index = draw(st.integers(0, 4))
        del catalog["cat_column_list"][index]
        del catalog["cat_column_names"][index]
    elif breakage == "lon_name":
        catalog["cat_lon_name"] = draw(st.sampled_from(["RA", "significance", "src_names", "x"]))
    elif breakage == "not_json":
        return draw(st.sampled_from(["{", "not json", "{'a': 1}", "[1, 2"]))
    elif breakage == "json_kind":
        return draw(st.sampled_from(["[]", "5", "null", '"text"', "{}"]))
    elif breakage == "empty_text":
        return draw(st.sampled_from(["", " "]))
    return catalog if draw(st.booleans()) else json.dumps(catalog)
