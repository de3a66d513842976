"""Compose meetings with exact ground truth from real single-speaker recordings.

A scenario (TOML, see ``eval/scenarios/``) names the people, the voice of each
(a LibriSpeech reader folder of ``tests/data/voices/``) and a sequence of steps:
plain turns, backchannels, and successful / unsuccessful / cooperative / silent
interruptions. :func:`compose_meeting` lays the steps out on a timeline, fills
them with the readers' real phrases (cut at the pauses between phrases, re-used
cyclically) and returns the mix with its reference: every speech segment (RTTM),
every interruption with its type and time, the backchannels and the verdict the
scenario was written to produce. Nothing outside a declared segment is speech:
the gaps are digital silence unless the scenario asks for a noise floor.

The interruption kinds follow docs/metrics.md (Ferguson/Beattie):

- ``successful``: the newcomer starts while the floor holder is mid-phrase; the
  holder stops ``overlap`` s later (default 0.8 s) and the newcomer keeps the floor.
- ``unsuccessful``: the newcomer talks over the holder for ``seconds`` (default 2 s)
  and gives up; the holder never stops.
- ``cooperative``: the newcomer starts in the holder's last ``overlap`` s (default
  0.3 s) of a complete phrase (terminal overlap).
- ``silent``: the holder stops mid-phrase and the newcomer starts ``gap`` s later
  (default 0.15 s) with no overlap.
- ``backchannel``: a short phrase (<= ``seconds``, default 0.6 s) inside the holder's turn.

Any step can change the speaker's level for part of it: ``gain_db`` (raise > 0, lower < 0)
from ``gain_at`` seconds into the step for ``gain_seconds`` (default: to its end). The events
file lists each change with the exact extent of the scaled speech (``level_changes``), the truth
for raised-voice detection.
"""

from analyzer.compose.mix import (
    Backchannel, ComposedFiles, ComposedMeeting, LevelChange, compose_meeting, meeting_events, write_meeting,
)
from analyzer.compose.scenario import (
    DEFAULT_VOICES, FLOOR_KINDS, INSIDE_KINDS, VERDICTS, Person, Scenario, Step, load_scenario,
    scenario_from_dict, synthetic_scenario,
)
from analyzer.compose.voices import SAMPLE_RATE, Voice, load_voice, split_phrases

__all__ = ["DEFAULT_VOICES", "FLOOR_KINDS", "INSIDE_KINDS", "SAMPLE_RATE", "VERDICTS", "Backchannel",
           "ComposedFiles", "ComposedMeeting", "LevelChange", "Person", "Scenario", "Step", "Voice", "compose_meeting",
           "load_scenario", "load_voice", "meeting_events", "scenario_from_dict", "split_phrases",
           "synthetic_scenario", "write_meeting"]
