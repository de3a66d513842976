"""Options shared by ``analyze``, ``batch`` and friends, and their mapping to :class:`AnalysisConfig`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from analyzer.core.config import AnalysisConfig, load_config, parse_attendees
from analyzer.core.errors import ConfigError

ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="TOML file with analysis settings "
                                                    "(sections \\[asr], \\[diarization], \\[alignment], \\[metrics]).")]
NumSpeakers = Annotated[Optional[int], typer.Option("--num-speakers", "-n", min=1, max=30,
                                                    help="Exact number of speakers, when known.")]
MinSpeakers = Annotated[Optional[int], typer.Option("--min-speakers", min=1, max=30,
                                                    help="Lower bound on the number of speakers.")]
MaxSpeakers = Annotated[Optional[int], typer.Option("--max-speakers", min=1, max=30,
                                                    help="Upper bound on the number of speakers.")]
Device = Annotated[str, typer.Option("--device", help="auto (CUDA when present), cpu or cuda.")]
AsrModel = Annotated[Optional[str], typer.Option("--asr-model", help="Speech model: tiny.en (default), base "
                                                 "(multilingual, fetched on demand), a local CTranslate2 "
                                                 "folder, or a faster-whisper size when the hub is reachable.")]
Language = Annotated[Optional[str], typer.Option("--language", help="Language code (en, fr, de...); "
                                                 "default: detect (multilingual models) or English.")]
Db = Annotated[Optional[str], typer.Option("--db", envvar="FLOORSHARE_DB", show_envvar=True,
                                           help="Sessions database: a SQLAlchemy URL (sqlite:///PATH, "
                                                "postgresql://USER@HOST/DB) or a SQLite file path "
                                                "(default: the file in your user data folder).")]
Attendees = Annotated[Optional[str], typer.Option("--attendees", help="Who attended: a number (N people) "
                                                  "or comma-separated names; silent attendees count.")]

MeetingDay = Annotated[Optional[str], typer.Option("--date", help="The meeting's date (YYYY-MM-DD, optionally "
                                                   "with a time: 2026-03-14T10:15). Default: the recording's "
                                                   "metadata, else a date in the file name, else the file's "
                                                   "modification time.")]


def check_date(value: str | None) -> str | None:
    """``--date`` parsed to UTC ISO (None when not given); a ConfigError names a bad value."""
    from analyzer.core.dates import parse_given_date

    return parse_given_date(value) if value else None


def build_config(config_file: Path | None = None, num_speakers: int | None = None,
                 min_speakers: int | None = None, max_speakers: int | None = None,
                 device: str = "auto", asr_model: str | None = None, language: str | None = None,
                 attendees: str | None = None) -> AnalysisConfig:
    """CLI flags over the config file over defaults."""
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device must be auto, cpu or cuda, not {device!r}")
    if num_speakers and (min_speakers or max_speakers):
        raise ConfigError("give either --num-speakers or --min-speakers/--max-speakers, not both")
    if min_speakers and max_speakers and min_speakers > max_speakers:
        raise ConfigError(f"--min-speakers {min_speakers} is larger than --max-speakers {max_speakers}")
    config = load_config(config_file)
    config = config.with_updates(
        asr={"model": asr_model, "language": language},
        diarization={"num_speakers": num_speakers, "min_speakers": min_speakers, "max_speakers": max_speakers},
        metrics={"attendees": parse_attendees(attendees)},
    )
    return config.with_updates() if device == "auto" else _with_device(config, device)


def _with_device(config: AnalysisConfig, device: str) -> AnalysisConfig:
    from dataclasses import replace

    return replace(config, device=device)
