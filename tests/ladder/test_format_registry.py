"""The format registry: every format reads back what it writes, and each suffix is one format's."""

import pytest

from ladder.formats import registry
from ladder.formats.document import LadderFormatError
from ladder.formats.files import read_upload
from ladder.formats.markdown import parse_ladder

pytestmark = pytest.mark.no_database


def test_every_format_reads_back_what_it_writes(seed_text):
    doc = parse_ladder(seed_text, "ic5.md")
    for fmt in registry.FORMATS:
        text = fmt.write_page(doc) if fmt.write_page else fmt.write_all([doc])
        name = f"ic5{fmt.suffixes[0]}"
        (page,) = read_upload(name, text.encode())
        assert page.doc == doc, fmt.name


def test_each_format_writes_one_way():
    for fmt in registry.FORMATS:
        assert (fmt.write_page is None) != (fmt.write_all is None), fmt.name


def test_a_suffix_names_one_format():
    assert len(registry.SUFFIXES) == len(set(registry.SUFFIXES))
    assert registry.by_suffix(".HTM").name == "html"
    assert registry.by_suffix(".docx") is None
    assert registry.by_name("csv").label == "CSV"
    with pytest.raises(KeyError):
        registry.by_name("docx")


def test_an_unknown_file_is_told_every_format():
    with pytest.raises(LadderFormatError) as caught:
        read_upload("ladder.docx", b"anything")
    for fmt in registry.FORMATS:
        assert fmt.described in caught.value.message
    assert "Markdown (.md, .markdown, .txt)" in caught.value.message
