"""examples/quickstart.ipynb runs top to bottom (on the tiny config, in a real Jupyter kernel)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a Jupyter kernel trains, exports and reloads a run

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def test_the_quickstart_notebook_runs_top_to_bottom(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    parameters = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1, "the notebook's first code cell holds its parameters"
    parameters[0].source = (f'CONFIG = "tiny_test"\nWORKDIR = r"{tmp_path / "run"}"\n'
                            f'EXPORT_DIR = r"{tmp_path / "exports"}"\nOVERRIDES = {{"train_steps": 2}}\n')
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = {index: cell.outputs for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"}
    text = "".join(output.get("text", "") for cell_outputs in outputs.values() for output in cell_outputs)
    assert "step 2 | codes cat:3,cont:1" in text
    pictures = [output for cell_outputs in outputs.values() for output in cell_outputs
                if "image/png" in output.get("data", {})]
    assert len(pictures) >= 3, "two traversal grids and the sweep are shown inline"
    assert (tmp_path / "exports" / "generator" / "1" / "saved_model.pb").exists()
    assert "square   x= 4: categorical=" in text and "heart    x=28:" in text
