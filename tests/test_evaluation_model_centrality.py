import json
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from cli_in_process import last_line

from infogan_tf import latents
from infogan_tf.evaluation import model_centrality
from infogan_tf.evaluation.loaded_run import EvaluationError, LoadedRun
from infogan_tf.evaluation.protocol import protocol_for

SPEC = latents.parse_latent_spec("cont:2", noise_dim=2)


def _generator(reads_codes: bool) -> keras.Model:
    """Paints the two codes (or, for a generator that ignores them, the noise) into the first two pixels."""
    noise, codes = keras.Input((2,), name="noise"), keras.Input((2,), name="continuous")

    def paint(parts):
        shown = parts[1] if reads_codes else parts[0]
        return keras.ops.reshape(keras.ops.pad(keras.ops.concatenate([shown, parts[0]], 1), [[0, 0], [0, 12]]),
                                 (-1, 4, 4, 1))

    return keras.Model({"noise": noise, "continuous": codes}, keras.layers.Lambda(paint)([noise, codes]))


def _encoder(pixels: tuple[int, int]) -> keras.Model:
    """Reads the codes back from two pixels."""
    images = keras.Input((4, 4, 1))

    def read(batch):
        flat = keras.ops.reshape(batch, (-1, 16))
        return {"continuous": keras.ops.stack([flat[:, pixels[0]], flat[:, pixels[1]]], axis=1)}

    return keras.Model(images, keras.layers.Lambda(read)(images))


def _run(name: str, reads_codes: bool, pixels: tuple[int, int]) -> LoadedRun:
    return LoadedRun(root=Path(name), summary={"image_shape": [4, 4, 1], "global_step": 1}, train_config=None,
                     spec=SPEC, generator=_generator(reads_codes), encoder=_encoder(pixels), history=[])


def test_selects_a_run_that_agrees_with_the_others():
    runs = [_run("blind", reads_codes=False, pixels=(2, 3)), _run("a", True, (0, 1)), _run("b", True, (1, 0))]
    result = model_centrality.compute_model_centrality(runs, protocol_for(300), seed=0)
    matrix = np.array(result["matrix"])
    assert matrix.shape == (3, 3)
    assert matrix[1, 2] > 0.95 and matrix[2, 1] > 0.95  # a and b read each other's codes (columns swapped)
    assert matrix[0].max() < 0.75  # nobody reads codes off images that do not show them
    assert result["selected"] in ("a", "b") and result["centrality"][0] < min(result["centrality"][1:])
    assert result["selected_index"] == int(np.argmax(result["centrality"]))
    table = model_centrality.format_table(result)
    assert f"selected: run {result['selected_index']}" in table and "| run 0 |" in table


def test_a_saturated_matrix_is_reported_as_a_tie_not_a_choice():
    centrality = model_centrality.centralities(np.ones((3, 3)))
    assert centrality.tolist() == [1.0, 1.0, 1.0]
    assert model_centrality.tied_with(centrality, 0) == [1, 2]
    separated = model_centrality.centralities(np.array([[1.0, 0.9, 0.6], [0.9, 1.0, 0.7], [0.6, 0.7, 1.0]]))
    assert separated.tolist() == pytest.approx([0.75, 0.8, 0.65])
    assert model_centrality.tied_with(separated, 1) == []
    result = {"workdirs": ["a", "b", "c"], "matrix": np.ones((3, 3)).tolist(), "centrality": centrality.tolist(),
              "selected_index": 0, "selected": "a", "tied_with": [1, 2]}
    assert "tied with run 1, run 2: the matrix does not separate these runs" in model_centrality.format_table(result)
    assert "tied" not in model_centrality.format_table({**result, "tied_with": []})


def test_needs_two_runs_of_one_image_shape():
    with pytest.raises(EvaluationError, match="at least two runs"):
        model_centrality.compute_model_centrality([_run("a", True, (0, 1))], protocol_for(100))
    other = _run("c", True, (0, 1))
    other = LoadedRun(**{**other.__dict__, "summary": {"image_shape": [8, 8, 1]}})
    with pytest.raises(EvaluationError, match="different shapes"):
        model_centrality.compute_model_centrality([_run("a", True, (0, 1)), other], protocol_for(100))


def test_select_model_writes_the_matrix_and_the_choice(tmp_path, monkeypatch, capsys):
    from infogan_tf.cli import select_model

    runs = {"a": _run("a", True, (0, 1)), "b": _run("b", True, (1, 0)), "blind": _run("blind", False, (2, 3))}
    monkeypatch.setattr("infogan_tf.evaluation.loaded_run.load_run", lambda path: runs[str(path)])
    output = tmp_path / "centrality.json"
    status, _ = last_line(select_model, "select_model.py", "--workdirs=a,blind,b", f"--output={output}",
                          "--num_examples=200")
    assert status == 0
    written = json.loads(output.read_text())
    assert written["workdirs"] == ["a", "blind", "b"] and written["selected"] in ("a", "b")
    assert written["protocol"]["factor_vae_eval"] == 100
    assert "selected: run" in capsys.readouterr().out


def test_select_model_names_a_missing_workdir(tmp_path):
    from infogan_tf.cli import select_model

    status, line = last_line(select_model, "select_model.py", f"--workdirs={tmp_path / 'nope'},{tmp_path}",
                             f"--output={tmp_path / 'o.json'}")
    assert status == 1 and re.fullmatch("select_model.py: error: workdir .*nope does not exist", line), line


def test_each_run_generates_its_images_once_for_all_encoders(monkeypatch):
    from infogan_tf.evaluation.generated_factors import GeneratedGroundTruth

    rendered = []
    original = GeneratedGroundTruth.images_from_factors

    def counting(self, factors):
        rendered.append((self.generator, len(factors)))
        return original(self, factors)

    monkeypatch.setattr(GeneratedGroundTruth, "images_from_factors", counting)
    protocol = protocol_for(200)
    runs = [_run("a", True, (0, 1)), _run("b", True, (1, 0)), _run("c", True, (0, 1))]
    model_centrality.compute_model_centrality(runs, protocol, seed=0)
    votes = (protocol.factor_vae_train + protocol.factor_vae_eval) * protocol.factor_vae_batch
    for run in runs:
        drawn = sum(count for generator, count in rendered if generator is run.generator)
        assert drawn == protocol.factor_vae_variance + votes
