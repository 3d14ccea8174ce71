"""Smoke tests for benchmarks/perf.py: every benchmark runs at a tiny size, so none can rot.

These check that the benchmarks work and report what they should, never how fast anything is.
The ones that start ``newsbot run`` or fresh interpreters take seconds each, so they are
marked ``slow`` (``pytest -m slow`` runs them).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import httpx
import pytest

from benchmarks import perf
from benchmarks._perf_botapi import FloodLimits, LoopbackBotAPI
from benchmarks._perf_common import Result, fit_exponent, percentile, synthetic_articles


def _needs(module: str) -> None:
    """Skip while a bot piece does not exist yet; a piece that exists but breaks fails."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            pytest.skip(f"{module} is not there yet")
        raise


def _quick(tmp_path: Path, name: str) -> Result:
    cfg = perf.Config(tmp_path, quick=True)
    (result,) = perf.run([name], cfg, echo=False)
    assert result.skipped is None, result.skipped
    assert result.tables and all(t.rows for t in result.tables)
    return result


def test_throughput_reports_ours_beside_sumy_and_every_stage(tmp_path: Path) -> None:
    result = _quick(tmp_path, "throughput")
    assert result.data["newsbot_per_core"] > 0
    assert result.data["sumy_lexrank_per_core"] > 0
    assert set(result.data["stages_ms"]) == {
        "read", "load", "clean", "tokenize", "summarize", "quotes",
    }  # fmt: skip


def test_scaling_fits_an_exponent(tmp_path: Path) -> None:
    result = _quick(tmp_path, "scaling")
    assert len(result.data["points"]) == 3
    assert result.data["exponent"] == result.data["exponent"]  # not NaN


@pytest.mark.slow
def test_memory_measures_a_filled_store_and_a_big_file(tmp_path: Path) -> None:
    _needs("bot.store")
    result = _quick(tmp_path, "memory")
    assert "error" not in result.data["store"], result.data["store"]
    assert result.data["big_file"]["done"]["VmHWM"] > 0


def test_fanout_delivers_to_every_chat_without_loss(tmp_path: Path) -> None:
    _needs("bot.delivery")
    result = _quick(tmp_path, "fanout")
    for run in result.data["runs"]:
        assert run["lost"] == 0 and run["duplicates"] == 0, run


@pytest.mark.slow
@pytest.mark.parametrize("name", ["latency", "status"])
def test_bot_benchmarks_run_the_real_bot(tmp_path: Path, name: str) -> None:
    _needs("bot.app")
    result = _quick(tmp_path, name)
    assert result.data["p95_s"] > 0


def test_main_prints_tables_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "perf.json"
    assert perf.main(["--quick", "--only", "scaling", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| size |" in printed and "### Targets" in printed
    payload = json.loads(out.read_text())
    assert payload["machine"]["cores"] >= 1
    assert payload["results"]["scaling"]["targets"][0]["name"].startswith("scaling exponent")


async def test_stand_in_answers_429_with_retry_after_over_the_limit() -> None:
    limits = FloodLimits(overall_per_second=2, group_per_minute=None, model="window")
    async with LoopbackBotAPI(limits) as api, httpx.AsyncClient() as client:
        url = f"{api.base_url}123:abc/sendMessage"
        codes = [
            (await client.post(url, data={"chat_id": "1", "text": "hi"})).status_code
            for _ in range(3)
        ]
        refused = (await client.post(url, data={"chat_id": "1", "text": "hi"})).json()
    assert codes == [200, 200, 429]
    assert refused["parameters"]["retry_after"] >= 1
    assert len(api.sent) == 2 and api.rejected == 2


async def test_stand_in_limits_each_group_per_minute() -> None:
    limits = FloodLimits(overall_per_second=None, group_per_minute=3, model="bucket")
    async with LoopbackBotAPI(limits) as api, httpx.AsyncClient() as client:
        url = f"{api.base_url}123:abc/sendMessage"
        group = [
            (await client.post(url, data={"chat_id": "-100", "text": "x"})).status_code
            for _ in range(4)
        ]
        private = (await client.post(url, data={"chat_id": "7", "text": "x"})).status_code
    assert group == [200, 200, 200, 429]
    assert private == 200


def test_helpers_fit_and_rank() -> None:
    assert fit_exponent([1, 2, 4, 8], [3, 6, 12, 24]) == pytest.approx(1.0)
    assert percentile([0.1 * n for n in range(1, 21)], 95) == pytest.approx(1.9)
    texts = synthetic_articles(3)
    assert len(set(texts)) == 3 and all("said" in t for t in texts)
