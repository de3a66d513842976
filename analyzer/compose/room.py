"""Far-field rendering: people around a table in a reverberant room, one microphone in the middle.

The only module that imports pyroomacoustics. A scenario's ``[room]`` table asks for it:

    [room]
    rt60 = 0.6               # reverberation time (s), 0.3 to 0.8 for meeting rooms
    size = [6.5, 5.0, 3.0]   # shoebox room (m); default 6 x 5 x 3
    snr_db = 18              # speech-to-noise ratio of the diffuse noise, 12 to 25
    [people.ana]
    voice = "1688"
    distance = 2.1           # metres from the microphone (default: spread over 0.8-2.2 m)

Each person's dry track (their phrases on the meeting timeline) is convolved with the room
impulse response from their seat to the microphone (image method, ``pyroomacoustics``; the
absorption and reflection order come from Sabine's formula for the RT60). Seats are spread
around the table at ear height 1.2 m; the microphone lies on the table (0.75 m) at the centre.
Diffuse noise is pink noise that has been through the room from six positions near the walls,
scaled to ``snr_db`` below the speech power over the reference speech. The reference stays the
dry phrases' voiced stretches: reverberation tails are not speech, and the direct path's delay
(under 7 ms at 2.2 m) is the only shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from analyzer.compose.voices import SAMPLE_RATE

TABLE_HEIGHT_M = 0.75
MOUTH_HEIGHT_M = 1.2
DISTANCE_RANGE_M = (0.8, 2.2)


@dataclass(frozen=True, slots=True)
class Room:
    """A shoebox room with one microphone at the table's centre."""

    rt60: float
    size: tuple[float, float, float] = (6.0, 5.0, 3.0)
    snr_db: float = 18.0


def seat_positions(distances: list[float], room: Room, rng: np.random.Generator) -> list[np.ndarray]:
    """One seat per person: evenly spaced angles (with jitter), at the given distance from the mic."""
    centre = np.array([room.size[0] / 2, room.size[1] / 2])
    start = float(rng.uniform(0, 2 * np.pi))
    seats = []
    for i, distance in enumerate(distances):
        angle = start + 2 * np.pi * i / len(distances) + float(rng.uniform(-0.2, 0.2))
        horizontal = float(np.sqrt(max(distance ** 2 - (MOUTH_HEIGHT_M - TABLE_HEIGHT_M) ** 2, 0.01)))
        xy = centre + horizontal * np.array([np.cos(angle), np.sin(angle)])
        xy = np.clip(xy, 0.3, np.array(room.size[:2]) - 0.3)
        seats.append(np.array([xy[0], xy[1], MOUTH_HEIGHT_M]))
    return seats


def impulse_responses(sources: list[np.ndarray], room: Room) -> list[np.ndarray]:
    """Room impulse responses from each source to the microphone, direct path at its true delay."""
    import pyroomacoustics as pra

    absorption, max_order = pra.inverse_sabine(room.rt60, list(room.size))
    shoebox = pra.ShoeBox(list(room.size), fs=SAMPLE_RATE, materials=pra.Material(absorption),
                          max_order=max_order)
    for source in sources:
        shoebox.add_source(list(source))
    mic = np.array([[room.size[0] / 2], [room.size[1] / 2], [TABLE_HEIGHT_M]])
    shoebox.add_microphone_array(pra.MicrophoneArray(mic, SAMPLE_RATE))
    shoebox.compute_rir()
    lead = pra.constants.get("frac_delay_length") // 2  # the fractional-delay filter's own latency
    return [np.asarray(rir[lead:], dtype=np.float64) for rir in shoebox.rir[0]]


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.normal(size=n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[1:] /= np.sqrt(freqs[1:] / freqs[1])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.std(noise) or 1.0)


def render(tracks: dict[str, np.ndarray], distances: dict[str, float], room: Room, speech_mask: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """Mix the dry per-person tracks as heard by the table microphone, with diffuse noise.

    Args:
        tracks: person -> dry samples on the meeting timeline (all the same length).
        distances: person -> metres from the microphone.
        room: the room.
        speech_mask: boolean per sample, True inside reference speech (for the SNR).
        rng: the composer's random generator (seats and noise).
    """
    names = list(tracks)
    length = len(next(iter(tracks.values())))
    seats = seat_positions([distances[n] for n in names], room, rng)
    walls = [np.array([x * room.size[0], y * room.size[1], float(rng.uniform(0.5, 2.5))])
             for x, y in ((0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9), (0.5, 0.08), (0.5, 0.92))]
    rirs = impulse_responses(seats + walls, room)
    mix = np.zeros(length, dtype=np.float64)
    for name, rir in zip(names, rirs):
        mix += fftconvolve(tracks[name].astype(np.float64), rir)[:length]
    noise = np.zeros(length, dtype=np.float64)
    for rir in rirs[len(names):]:
        noise += fftconvolve(_pink(length, rng), rir)[:length]
    speech_power = float(np.mean(mix[speech_mask] ** 2)) if speech_mask.any() else float(np.mean(mix ** 2))
    noise_power = float(np.mean(noise ** 2)) or 1.0
    mix += noise * np.sqrt(speech_power / noise_power / 10 ** (room.snr_db / 10))
    level = np.sqrt(speech_power) or 1.0
    return (mix * (10 ** (-26 / 20) / level)).astype(np.float32)  # speech at about -26 dBFS RMS


def default_distances(names: list[str], rng: np.random.Generator) -> dict[str, float]:
    """Distances spread evenly over 0.8-2.2 m in a random order."""
    low, high = DISTANCE_RANGE_M
    values = list(np.linspace(low, high, len(names))) if len(names) > 1 else [1.2]
    order = rng.permutation(len(names))
    return {name: round(float(values[i]), 2) for name, i in zip(names, order)}
