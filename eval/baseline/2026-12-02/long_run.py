"""4-hour composed meeting with speech throughout: peak RSS, DER, labels consistent per hour.
usage: long_run.py compose MINUTES DIR | run WAV OUT.json (docs/benchmarks.md, "Four hours")"""
import json, sys, threading, time
from pathlib import Path

def compose(minutes, d):
    from analyzer.evaluation.bench import compose_bench_inputs
    print(compose_bench_inputs([float(minutes)], Path(d)))

def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

def run(wav, out):
    wav = Path(wav)
    from analyzer.core.config import AnalysisConfig
    from analyzer.pipeline.analysis import build_analyzer
    trace, stop = [], threading.Event()
    t0 = time.monotonic()
    def sample():
        while not stop.wait(1.0):
            trace.append((round(time.monotonic() - t0, 1), vm("VmRSS:") >> 20))
    threading.Thread(target=sample, daemon=True).start()
    analyzer = build_analyzer(AnalysisConfig())
    loaded = time.monotonic() - t0
    result = analyzer.analyze_file(wav)
    total = time.monotonic() - t0
    stop.set()
    from analyzer.evaluation.bench import score_against_rttm
    from analyzer.evaluation.scoring import DiarizationScorer, optimal_mapping
    from analyzer.formats.rttm import read_rttm
    from analyzer.core.schema import SpeakerSegment
    der, share = score_against_rttm(wav, result)
    reference = next(iter(read_rttm(wav.with_suffix(".rttm")).values()))
    system = result.diarization.segments
    whole = optimal_mapping(reference, system, uri="m")
    def cut(segs, a, b):
        return [SpeakerSegment(start=max(s.start, a), end=min(s.end, b), speaker=s.speaker)
                for s in segs if s.end > a and s.start < b]
    hours = []
    duration = result.recording.duration
    h = 0
    while h * 3600 < duration:
        a, b = h * 3600.0, min((h + 1) * 3600.0, duration)
        r, s = cut(reference, a, b), cut(system, a, b)
        own = optimal_mapping(r, s, uri="m")
        score = DiarizationScorer().score(r, s, ((a, b),), uri="m")
        # time each system label spends per reference speaker in this hour under the whole-file mapping
        moved = {k: (v, whole.get(k)) for k, v in own.items() if whole.get(k) != v}
        hours.append({"hour": h, "der_own_mapping": round(score.der, 4), "labels": len(own),
                      "labels_mapped_differently_than_whole_file": moved})
        h += 1
    report = {"audio_s": duration, "load_s": round(loaded, 1), "analysis_s": round(total - loaded, 1),
              "rtf": round((total - loaded) / duration, 4), "peak_rss_mib": vm("VmHWM:") >> 20,
              "der": der, "share_error_pp": share, "speakers": len(result.metrics.speakers),
              "reference_speakers": len({s.speaker for s in reference}), "whole_mapping": whole,
              "hours": hours, "trace_mib": trace[::10]}
    Path(out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "trace_mib"}, indent=1))

if __name__ == "__main__":
    compose(*sys.argv[2:]) if sys.argv[1] == "compose" else run(*sys.argv[2:])
