"""Files handed to the browser: safe names, saved as attachments."""

from __future__ import annotations

from app.core.downloads import download, file_name


def test_file_names_are_plain_ascii() -> None:
    assert file_name("Café: Q3 / 2027 ✓", "campaign") == "cafe-q3-2027"
    assert file_name("✓✓", "campaign") == "campaign"
    assert file_name('a"b\r\nContent-Type: x', "campaign") == "a-b-content-type-x"
    assert len(file_name("x" * 300, "campaign")) == 80


def test_a_download_is_an_attachment() -> None:
    response = download("a,b\r\n", "report.csv")
    assert (response.mimetype, response.headers["Content-Disposition"]) == ("text/csv", 'attachment; filename="report.csv"')
