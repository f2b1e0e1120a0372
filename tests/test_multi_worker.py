"""--strategy=multi_worker with two worker processes on 127.0.0.1 (MultiWorkerMirroredStrategy from TF_CONFIG)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two TensorFlow worker processes

ROOT = Path(__file__).resolve().parents[1]


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def test_two_workers_train_in_sync_and_only_the_chief_writes(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes = []
    for index in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps({"cluster": {"worker": workers},
                                                     "task": {"type": "worker", "index": index}}))
        processes.append(subprocess.Popen(
            [sys.executable, str(ROOT / "train.py"), "--flagfile=configs/tiny_test.cfg", f"--workdir={tmp_path}",
             "--strategy=multi_worker", "--train_steps=2"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=240))
    finally:
        for process in processes:
            process.kill()
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    assert "MultiWorkerMirroredStrategy with 2 replica(s) in sync" in outputs[0][1]
    summary = json.loads((tmp_path / "run_summary.json").read_text())
    assert summary["strategy"] == "MultiWorkerMirroredStrategy" and summary["replicas"] == 2
    assert summary["global_step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "checkpoints", "config.json", "encoder.keras", "flags.cfg", "generator.keras", "history.jsonl",
        "run_summary.json", "samples", "tensorboard"]
