"""Each package's public surface is a decision: ``__all__`` is exact and sorted."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["summaries", "bot"])
def test_all_lists_exactly_the_public_names_sorted(package: str) -> None:
    module = importlib.import_module(package)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and name != "annotations"
    }
    assert sorted(module.__all__) == list(module.__all__)
    assert set(module.__all__) == public
