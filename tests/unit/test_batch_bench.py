"""`bench batch`'s setups, its ratios to the baseline row, and the Ray actors' peak memory (no real Ray)."""

from __future__ import annotations

import pytest

from analyzer.batch.bench import CLUSTER, DEFAULT_SETUPS, BenchRow, parse_setups
from analyzer.batch.ray_engine import RayEngine, _Scheduler
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError
from tests.unit.test_batch_ray_scheduling import FACTORY, FakeRay, fast_checks, outcomes, recordings  # noqa: F401


def row(engine: str, files: int, wall: float) -> BenchRow:
    return BenchRow(engine, 2, files, 0, 30.0 * files, wall, 5.0, None, 0.02, 0.05)


def test_setups_default_to_the_local_engines_plus_the_cluster_when_an_address_is_given() -> None:
    assert parse_setups(None, None) == DEFAULT_SETUPS
    assert parse_setups(None, "head:6379", 3) == (*DEFAULT_SETUPS, (CLUSTER, 3))
    assert parse_setups("local:2, ray:2,cluster", "head:6379", 2) == (("local", 2), ("ray", 2), (CLUSTER, 2))
    assert parse_setups("cluster:4,local:1", "head:6379") == ((CLUSTER, 4), ("local", 1))
    assert parse_setups("cluster", "head:6379") == ((CLUSTER, 0),)  # 0: as many actors as the nodes hold


@pytest.mark.parametrize("text, message", [
    ("local", "is not ENGINE:WORKERS"), ("gpu:2", "is not ENGINE:WORKERS"), ("local:two", "is not ENGINE:WORKERS"),
    ("local:0", "needs 1 worker or more"), ("local:2,cluster", "needs --ray-address")])
def test_a_bad_setup_is_a_one_line_error_naming_it(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_setups(text, None)
    assert message in str(caught.value) and text in str(caught.value)


def test_files_per_hour_is_given_as_a_ratio_to_the_first_row(capsys, monkeypatch) -> None:
    from analyzer.cli.commands.batch import console, print_bench

    monkeypatch.setattr(console, "width", 220)  # the whole table on one line per row

    rows = [row("local", 4, 120.0), row("ray", 4, 100.0), row(CLUSTER, 4, 150.0)]
    assert rows[0].ratio_to(rows[0]) == 1.0
    assert rows[1].ratio_to(rows[0]) == pytest.approx(1.2) and rows[2].ratio_to(rows[0]) == pytest.approx(0.8)
    assert row("ray", 4, 10.0).ratio_to(row("local", 0, 10.0)) is None  # a baseline that analysed nothing
    print_bench(rows, 4)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    assert [cells.split("│")[8].strip() for cells in lines] == ["1.00", "1.20", "0.80"]
    assert all("20 ms" in line and "50 ms" in line for line in lines)  # mean and slowest store


def test_the_ray_engine_reports_its_actors_peak_memory_after_a_batch(recordings) -> None:  # noqa: F811
    engine = RayEngine(AnalysisConfig(), 2, 1, address="head:6379", factory=FACTORY)
    done = outcomes(list(_Scheduler(engine, FakeRay(1, 1), recordings, 0.0).run()))
    assert len(done) == len(recordings)
    assert engine.peak_worker_rss > 10 * 2**20  # this process (the fake actors run here) holds far more than 10 MiB
