"""Clustering sweeps without the models: cache each recording's chunk features once, re-cluster in seconds.

    python -m analyzer.evaluation.sweep fill eval/manifests/ami.toml --cache /work/cache-14
    python -m analyzer.evaluation.sweep run eval/manifests/ami.toml ... --cache DIR \\
        --set clustering_threshold=0.6,0.7,0.8 --set min_cluster_size=4,12

``fill`` runs segmentation and embeddings (the expensive part, models loaded) for every
recording of the manifests and stores them (:class:`analyzer.clustering.ChunkFeatures`);
``run`` clusters them for every combination of ``--set`` values (``DiarizationConfig``
fields) and prints, per manifest and over all of them, DER, the exact speaker-count rate,
the worst person's share error, the verdict against the reference's own verdict (metrics on
the reference RTTM alone, as ``floorshare metrics --rttm``), speaker-change recall and the
quietest person's missed speech. Verdicts here come from the diarization alone (no words),
so ``floorshare eval`` remains the measure of record.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Sequence

from analyzer.core.config import AnalysisConfig, DiarizationConfig
from analyzer.evaluation.manifest import ManifestEntry, load_manifest


@dataclass(frozen=True)
class CachedFile:
    manifest: str
    entry: ManifestEntry
    features: Path
    reference: tuple
    uem: tuple
    reference_verdict: str | None
    attendees: tuple[str, ...] | None


def _index_path(cache: Path) -> Path:
    return cache / "index.json"


def _read_index(cache: Path) -> dict[str, str]:
    path = _index_path(cache)
    return json.loads(path.read_text()) if path.exists() else {}


def fill(manifests: Sequence[Path], cache: Path, data_root: Path | None, work: Path,
         config: DiarizationConfig | None = None, limit: int | None = None) -> None:
    """Compute and store chunk features for every recording (skips those already cached; at most
    ``limit`` new ones per call, so each run stays short)."""
    from analyzer.adapters.audio import load_audio
    from analyzer.adapters.diarize import PyannoteDiarizer, feature_tag
    from analyzer.evaluation.runner import compose_entry

    diarizer = PyannoteDiarizer(config or DiarizationConfig(), device="cpu")
    index = _read_index(cache)
    for path in manifests:
        manifest = load_manifest(path, data_root)
        for entry in manifest.entries:
            key = f"{manifest.name}/{entry.id}"
            if key in index and (cache / index[key]).exists():
                continue
            if entry.scenario is not None:
                entry = compose_entry(entry, work / manifest.name)
            started = time.perf_counter()
            audio = load_audio(entry.audio)
            diarizer.features(audio, cache_dir=cache)
            shared = feature_tag(diarizer.config)
            name = sorted(cache.glob(f"{audio.recording.sha256[:24]}-step{diarizer.config.segmentation_step:g}"
                                     f"{shared}-[0-9]*.npz"))  # the per-chunk and shared files apart
            index[key] = name[0].name
            index[key + "#audio"] = str(entry.audio)
            _index_path(cache).write_text(json.dumps(index, indent=1, sort_keys=True))
            print(f"{key}: {audio.duration:.0f} s audio, {time.perf_counter() - started:.1f} s", flush=True)
            if limit is not None:
                limit -= 1
                if limit <= 0:
                    return


def load_cached(manifests: Sequence[Path], cache: Path, data_root: Path | None, work: Path) -> list[CachedFile]:
    """The manifests' recordings whose features are in ``cache``, with their references."""
    from analyzer.evaluation.manifest import with_composed
    from analyzer.evaluation.runner import entry_config, load_references
    from analyzer.pipeline.sources import metrics_from_segments

    index = _read_index(cache)
    files = []
    for path in manifests:
        manifest = load_manifest(path, data_root)
        for entry in manifest.entries:
            key = f"{manifest.name}/{entry.id}"
            if key not in index:
                print(f"{key}: not cached, skipped (run fill)", file=sys.stderr)
                continue
            if entry.scenario is not None:
                audio = Path(index[key + "#audio"])
                entry = with_composed(entry, audio, audio.with_suffix(".rttm"), audio.with_suffix(".events.json"))
            from analyzer.adapters.clustering import ChunkFeatures

            duration = ChunkFeatures.load(cache / index[key]).duration
            refs = load_references(entry, duration)
            config = entry_config(AnalysisConfig(), entry, refs)
            verdict = metrics_from_segments(refs.segments, config, duration=duration)[0].verdict.label \
                if refs.segments else None
            files.append(CachedFile(manifest.name, entry, cache / index[key], refs.segments, refs.uem, verdict,
                                    config.metrics.attendees or None))
    return files


def score_files(files: Sequence[CachedFile], config: DiarizationConfig, oracle: bool = False) -> dict[str, Any]:
    """Cluster every cached file with ``config`` and score it; per manifest and overall."""
    from analyzer.adapters.clustering import ChunkFeatures
    from analyzer.adapters.diarize import assemble
    from analyzer.evaluation.people import change_counts, missed_per_person
    from analyzer.evaluation.scoring import DiarizationScorer, optimal_mapping
    from analyzer.evaluation.shares import share_error, shares_from_segments
    from analyzer.pipeline.sources import metrics_from_segments

    groups: dict[str, list[dict]] = {}
    scorers: dict[str, DiarizationScorer] = {}
    for f in files:
        features = ChunkFeatures.load(f.features)
        cfg = replace(config, num_speakers=f.entry.num_speakers or (
            len({s.speaker for s in f.reference}) if oracle else None))
        if f.attendees and cfg.num_speakers is None and cfg.max_speakers is None:
            cfg = replace(cfg, max_speakers=len(f.attendees))  # as the pipeline does (bounded_by_attendees)
        started = time.perf_counter()
        diarization = assemble(features, cfg)
        elapsed = time.perf_counter() - started
        scorer = scorers.setdefault(f.manifest, DiarizationScorer())
        score = scorer.score(f.reference, diarization.segments, f.uem, uri=f.entry.id)
        mapping = optimal_mapping(f.reference, diarization.segments, uri=f.entry.id)
        analysis = AnalysisConfig().with_updates(metrics={"attendees": f.attendees})
        metrics = metrics_from_segments(diarization.segments, analysis, duration=features.duration)[0] \
            if diarization.segments else None
        system_shares = {s.speaker: s.share for s in metrics.speakers if not s.silent_attendee} if metrics else {}
        shares = share_error(shares_from_segments(f.reference), system_shares, mapping)
        changes = change_counts(f.reference, diarization.exclusive)
        people = missed_per_person(f.reference, diarization.segments, mapping)
        groups.setdefault(f.manifest, []).append({
            "id": f.entry.id, "der": score.der, "missed": score.missed, "false_alarm": score.false_alarm,
            "confusion": score.confusion, "total": score.total,
            "count_error": len(diarization.speakers) - len({s.speaker for s in f.reference}),
            "share_max": shares.max_pp, "share_people": list(shares.per_person.values()), "verdict": metrics.verdict.label if metrics else "no_speech",
            "verdict_ref": f.reference_verdict, "changes": changes,
            "quiet_missed": people[0].missed if people else None, "cluster_s": elapsed})
    return {name: _summary(rows) for name, rows in groups.items()} | {
        "all": _summary([r for rows in groups.values() for r in rows])} | {"rows": groups}


def _summary(rows: list[dict]) -> dict[str, Any]:
    from analyzer.evaluation.matching import Counts

    total = sum(r["total"] for r in rows) or 1.0
    changes = sum((r["changes"] for r in rows), Counts(0, 0, 0))
    return {
        "files": len(rows),
        "der": sum(r["missed"] + r["false_alarm"] + r["confusion"] for r in rows) / total,
        "missed": sum(r["missed"] for r in rows) / total, "false_alarm": sum(r["false_alarm"] for r in rows) / total,
        "confusion": sum(r["confusion"] for r in rows) / total,
        "count_exact": sum(r["count_error"] == 0 for r in rows), "count_mae": sum(abs(r["count_error"]) for r in rows) / len(rows),
        "share_worst_mean": sum(r["share_max"] for r in rows) / len(rows),
        "share_mean": _mean([e for r in rows for e in r["share_people"]]),
        "verdict_ok": sum(r["verdict"] == r["verdict_ref"] for r in rows),
        "change_recall": changes.recall, "change_precision": changes.precision,
        "quiet_missed_mean": sum(r["quiet_missed"] or 0 for r in rows) / len(rows),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _grid(settings: Sequence[str]) -> list[dict[str, Any]]:
    known = {f.name: f for f in fields(DiarizationConfig)}
    axes = []
    for item in settings:
        name, _, values = item.partition("=")
        if name not in known:
            raise SystemExit(f"--set {item}: unknown DiarizationConfig field; known: {', '.join(known)}")
        default = known[name].default
        cast = (lambda v: v) if isinstance(default, str) else (int if isinstance(default, int) else float)
        axes.append([(name, cast(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analyzer.evaluation.sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("fill", "run"))
    parser.add_argument("manifests", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, required=True, help="folder of cached chunk features")
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=Path("out/eval"), help="folder for composed scenarios")
    parser.add_argument("--set", action="append", default=[], help="FIELD=v1,v2,... (DiarizationConfig)")
    parser.add_argument("--oracle", action="store_true", help="give the true speaker count")
    parser.add_argument("--per-file", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="fill: at most this many new recordings")
    args = parser.parse_args(argv)
    if args.action == "fill":
        fill(args.manifests, args.cache, args.data_root, args.work, limit=args.limit)
        return
    files = load_cached(args.manifests, args.cache, args.data_root, args.work)
    results = []
    for combo in _grid(args.set):
        out = score_files(files, replace(DiarizationConfig(), **combo), oracle=args.oracle)
        label = " ".join(f"{k}={v}" for k, v in combo.items()) or "defaults"
        for name, s in out.items():
            if name == "rows":
                continue
            print(f"{label:50s} {name:10s} DER {s['der']:6.1%} (miss {s['missed']:5.1%} fa {s['false_alarm']:5.1%} "
                  f"conf {s['confusion']:5.1%}) count {s['count_exact']}/{s['files']} share "
                  f"{s['share_mean']:5.1f} worst-share {s['share_worst_mean']:5.1f} verdict {s['verdict_ok']}/{s['files']} change-R "
                  f"{(s['change_recall'] or 0):5.1%} P {(s['change_precision'] or 0):5.1%} quiet-miss "
                  f"{s['quiet_missed_mean']:5.1%}", flush=True)
        if args.per_file:
            for name, rows in out["rows"].items():
                for r in rows:
                    print(f"    {name}/{r['id']}: DER {r['der']:.1%} count {r['count_error']:+d} worst-share "
                          f"{r['share_max']:.1f} verdict {r['verdict']} (ref {r['verdict_ref']}) quiet-miss "
                          f"{(r['quiet_missed'] or 0):.1%} changes {r['changes'].matched}/{r['changes'].reference}"
                          f"/{r['changes'].system}")
        results.append({"set": combo, **{k: v for k, v in out.items() if k != "rows"}})
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
