"""The shipped data compiles and validates."""

from __future__ import annotations

from claimgraph.build.validation import validate_dataset


def test_shipped_data_validates(built, iris, article_texts):
    report = validate_dataset(built.dataset, iris, article_texts)
    assert report.conforms, str(report)
    assert report.claims >= 60
