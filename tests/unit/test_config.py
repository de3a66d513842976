import pytest

from analyzer.cli.commands.options import build_config
from analyzer.core.config import AnalysisConfig, load_config, parse_attendees
from analyzer.core.errors import ConfigError


def test_config_hash_changes_with_settings_but_not_device():
    base = AnalysisConfig()
    assert base.config_hash() == AnalysisConfig().config_hash()
    assert base.with_updates(diarization={"num_speakers": 3}).config_hash() != base.config_hash()
    assert build_config(device="cpu").config_hash() == base.config_hash()


def test_round_trip_through_dict():
    config = AnalysisConfig().with_updates(metrics={"attendees": ("Ana", "Ben")}, asr={"language": "fr"})
    assert AnalysisConfig.from_dict(config.to_dict()) == config


def test_unknown_keys_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown config key"):
        AnalysisConfig.from_dict({"colour": "blue"})
    with pytest.raises(ConfigError, match=r"unknown key\(s\) in \[asr\]"):
        AnalysisConfig.from_dict({"asr": {"modle": "tiny"}})
    bad = tmp_path / "bad.toml"
    bad.write_text("[asr\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(bad)


def test_cli_flags_override_file(tmp_path):
    file = tmp_path / "c.toml"
    file.write_text('[diarization]\nnum_speakers = 2\n[asr]\nbeam_size = 3\n')
    config = build_config(file, num_speakers=4)
    assert config.diarization.num_speakers == 4 and config.asr.beam_size == 3


def test_speaker_count_options_are_checked():
    with pytest.raises(ConfigError):
        build_config(num_speakers=2, min_speakers=1)
    with pytest.raises(ConfigError):
        build_config(min_speakers=4, max_speakers=2)
    with pytest.raises(ConfigError):
        build_config(device="tpu")


def test_attendees_as_count_or_names():
    assert parse_attendees("3") == ("attendee_1", "attendee_2", "attendee_3")
    assert parse_attendees("Ana, Ben") == ("Ana", "Ben")
    assert parse_attendees(None) is None
    with pytest.raises(ConfigError):
        parse_attendees("Ana, Ana")
