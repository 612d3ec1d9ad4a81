"""Unit tests of the student-facing helper package: device flag, fast mode, data hub, seeds, metrics."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

import course
from course import datasets, devices


@pytest.fixture(autouse=True)
def _clean_device(monkeypatch):
    monkeypatch.setattr(devices, "_override", None)
    monkeypatch.delenv("COURSE_DEVICE", raising=False)


# --- the CUDA flag -------------------------------------------------------------------------------

def test_cpu_is_the_default():
    assert course.device() == torch.device("cpu")


def test_cuda_without_a_gpu_is_a_clear_error_naming_the_flag(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    with pytest.raises(course.DeviceError, match="COURSE_DEVICE=cuda.*COURSE_DEVICE=cpu"):
        course.device()
    with pytest.raises(course.DeviceError):
        course.use_device("cuda")


def test_cuda_and_auto_pick_the_gpu_when_there_is_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    assert course.device() == torch.device("cuda")
    monkeypatch.setenv("COURSE_DEVICE", "auto")
    assert course.device() == torch.device("cuda")


def test_auto_falls_back_to_cpu_only_when_asked_to(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("COURSE_DEVICE", "auto")
    assert course.device() == torch.device("cpu")


def test_use_device_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    assert course.use_device("cpu") == torch.device("cpu")
    assert course.device() == torch.device("cpu")


def test_unknown_device_names_the_choices(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    with pytest.raises(course.DeviceError, match="cpu.*cuda.*auto"):
        course.device()


def test_start_fails_at_the_top_of_a_notebook_on_a_missing_gpu(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    with pytest.raises(course.DeviceError):
        course.start("01_linear_model")


# --- fast mode and seeds -------------------------------------------------------------------------

@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("0", False), ("", False)])
def test_fast_mode_flag(monkeypatch, value, fast):
    monkeypatch.setenv("COURSE_FAST", value)
    assert course.is_fast() is fast
    assert course.pick(fast="small", full="big") == ("small" if fast else "big")


def test_fast_mode_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    with pytest.raises(ValueError, match="COURSE_FAST"):
        course.is_fast()


def test_seed_everything_repeats_python_numpy_and_torch():
    import random

    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    course.seed_everything(3)
    first = draw()
    course.seed_everything(3)
    assert draw() == first
    course.seed_everything(4)
    assert draw() != first


def test_start_prints_lecture_device_and_mode(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert course.start("03_back_propagation") == torch.device("cpu")
    out = capsys.readouterr().out
    assert "03_back_propagation" in out and "cpu" in out and "fast" in out
    assert course.lecture() == "03_back_propagation"


def test_report_appends_json_lines_for_the_benchmark(tmp_path, monkeypatch, capsys):
    target = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("COURSE_METRICS_FILE", str(target))
    course.start("04_linear_regression")
    course.report(loss=torch.tensor(0.5), accuracy=0.75)
    assert "loss=0.5" in capsys.readouterr().out
    assert json.loads(target.read_text()) == {"lecture": "04_linear_regression", "loss": 0.5, "accuracy": 0.75}


def test_progress_bar_counts_the_loop(capsys):
    assert sum(course.progress(range(5), desc="loop")) == 10
    assert "loop" in capsys.readouterr().out


# --- the data hub --------------------------------------------------------------------------------

@pytest.fixture
def fake_registry(tmp_path, monkeypatch):
    """A one-file data set 'toy' whose canonical copy lies in a temporary mirror."""
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    (mirror / "toy").mkdir(parents=True)
    payload = b"1,2,3\n"
    (mirror / "toy" / "toy.csv").write_bytes(payload)
    entry = datasets.DataFile("toy/toy.csv", hashlib.sha256(payload).hexdigest(), "http://127.0.0.1:9/toy.csv")
    monkeypatch.setitem(datasets.REGISTRY, "toy", (entry,))
    monkeypatch.setenv("COURSE_DATA", str(cache))
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    return mirror, cache, entry


def test_mirror_file_is_verified_and_linked_into_the_cache(fake_registry):
    mirror, cache, _ = fake_registry
    (path,) = datasets.fetch("toy")
    assert path == cache / "toy" / "toy.csv"
    assert path.is_symlink() and path.resolve() == (mirror / "toy" / "toy.csv").resolve()
    assert path.read_bytes() == b"1,2,3\n"


def test_a_corrupt_mirror_file_is_refused_with_both_checksums(fake_registry):
    mirror, _, entry = fake_registry
    (mirror / "toy" / "toy.csv").write_bytes(b"tampered\n")
    with pytest.raises(datasets.DatasetError) as err:
        datasets.fetch("toy")
    message = str(err.value)
    assert "toy/toy.csv" in message and "checksum mismatch" in message and entry.sha256 in message
    assert hashlib.sha256(b"tampered\n").hexdigest() in message


def test_a_corrupt_cached_file_is_refused(fake_registry):
    _, cache, _ = fake_registry
    (cache / "toy").mkdir(parents=True)
    (cache / "toy" / "toy.csv").write_bytes(b"half a fi")
    with pytest.raises(datasets.DatasetError, match="checksum mismatch in the cache"):
        datasets.fetch("toy")


def test_no_mirror_and_no_network_says_where_it_looked_and_how_to_fix(fake_registry, monkeypatch):
    monkeypatch.delenv("COURSE_DATA_MIRROR")
    with pytest.raises(datasets.DatasetError) as err:
        datasets.fetch("toy")
    message = str(err.value)
    assert "toy/toy.csv" in message and "http://127.0.0.1:9/toy.csv" in message
    assert "COURSE_DATA_MIRROR is not set" in message and "Fix:" in message


def test_a_file_missing_from_the_mirror_is_named_with_the_mirror_path(fake_registry):
    mirror, _, _ = fake_registry
    (mirror / "toy" / "toy.csv").unlink()
    with pytest.raises(datasets.DatasetError, match=r"mirror: .*toy/toy.csv \(not there\)"):
        datasets.fetch("toy")


def test_a_file_with_no_public_address_explains_how_to_get_it(fake_registry, monkeypatch):
    monkeypatch.delenv("COURSE_DATA_MIRROR")
    with pytest.raises(datasets.DatasetError, match="Kaggle"):
        datasets.fetch_file(datasets.REGISTRY["otto"][0])


def test_unknown_data_set_lists_the_registry():
    with pytest.raises(datasets.DatasetError, match="diabetes.*mnist"):
        datasets.fetch("cifar10")


needs_mirror = pytest.mark.skipif(not datasets.mirror_root(), reason="COURSE_DATA_MIRROR is not set")


@needs_mirror
def test_registry_matches_the_mirror_manifest():
    """Every registry checksum is the one the offline mirror's manifest records."""
    manifest = datasets.mirror_root() / "MANIFEST.sha256"
    recorded = {line.split()[1].removeprefix("./"): line.split()[0] for line in manifest.read_text().splitlines()}
    for files in datasets.REGISTRY.values():
        for entry in files:
            assert recorded[entry.path] == entry.sha256, entry.path


def test_subset_is_fixed_and_bounded():
    data = list(range(100))
    a, b = datasets.subset(data, 10, seed=1), datasets.subset(data, 10, seed=1)
    assert len(a) == 10 and list(a) == list(b)
    assert datasets.subset(data, None) is data and datasets.subset(data, 1000) is data


@needs_mirror
def test_real_loaders_give_the_documented_shapes():
    X, y = datasets.diabetes()
    assert X.shape == (759, 8) and y.shape == (759, 1) and X.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0} and -1.0 <= X.min() and X.max() <= 1.0
    train, test = datasets.names("train"), datasets.names("test")
    assert (len(train), len(test)) == (13374, 6700)
    assert len({country for _, country in train}) == 18
    assert datasets.titanic("train").shape == (891, 12) and datasets.titanic("test").shape == (418, 11)
    otto = datasets.otto()
    assert otto.shape == (61878, 95) and otto["target"].nunique() == 9
    mnist_test = datasets.mnist(train=False)
    assert len(mnist_test) == 10000 and len(datasets.mnist(train=True)) == 60000
    image, label = mnist_test[0]
    assert image.size == (28, 28) and label == 7


def test_course_threads_sets_torch_threads(monkeypatch, capsys):
    before = torch.get_num_threads()
    monkeypatch.setenv("COURSE_THREADS", "1")
    try:
        course.start("05_logistic_regression")
        assert torch.get_num_threads() == 1
        assert "1 CPU threads" in capsys.readouterr().out
    finally:
        torch.set_num_threads(before)
