"""report.html: self-contained, with the command, the metric table, every code's traversal and the curves."""

import base64
import io
import re

import pytest
from PIL import Image

from infogan_tf import latents, networks
from infogan_tf.evaluation import report

SPEC = latents.parse_latent_spec("cat:3,cont:1,bern:1", 4)
METRICS = {
    "command": "python evaluate.py --workdir=/runs/a --seed=0",
    "dataset": "shapes",
    "global_step": 1234,
    "codes": {"cat3_0": {"matched_accuracy": 0.123456, "nmi": 0.5, "matched_class_per_value": [2, None, 0]}},
    "mi_estimates_nats": {"cat3_0": 1.0986, "cont_0": -0.5, "bern_0": 0.69},
    "skipped": {"image_quality": "no <labels>"},
    "protocol": {"generated": 32, "heldout_examples": None},
}
HISTORY = [
    {"step": step, "d_loss": 1.0 / step, "g_loss": 2.0, "mi_loss": 0.5, "d_real": 0.6, "d_fake": 0.4, "mi_cat3_0": 0.1}
    for step in (2, 4, 6)
]
DATA_URI = re.compile(r"data:image/(?:png|gif);base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def page() -> str:
    generator = networks.build_generator(SPEC, (28, 28, 1))
    return report.render_report(METRICS, generator, SPEC, HISTORY, rows=2, seed=0)


def _images(page: str) -> dict[str, Image.Image]:
    """alt text -> decoded PNG or GIF of every <img>."""
    found = re.findall(r'alt="([^"]*)" src="data:image/(?:png|gif);base64,([A-Za-z0-9+/=]+)"', page)
    return {alt: Image.open(io.BytesIO(base64.b64decode(data))) for alt, data in found}


def test_page_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(DATA_URI.fullmatch(source) for source in sources)
    outside = DATA_URI.sub("", page).lower()
    assert not any(marker in outside for marker in ("http", "url(", "<script", "<link", "//"))


def test_title_names_the_command_and_the_step(page):
    assert "<title>InfoGAN evaluation: shapes at step 1234</title>" in page
    assert "python evaluate.py --workdir=/runs/a --seed=0" in page


def test_metric_table_shows_every_section_formatted_and_escaped(page):
    table = page.split('<table class="metrics">')[1].split("</table>")[0]
    for heading in ("held-out labels", "MI lower bound", "Skipped", "Protocol"):
        assert heading in table
    assert '<td>cat3_0 / matched_accuracy</td><td class="value">0.1235</td>' in table
    assert "2, n/a, 0" in table and "<td>bern_0</td>" in table
    assert "no &lt;labels&gt;" in table and "<labels>" not in table


def test_every_code_has_its_traversal_grid(page):
    images = _images(page)
    cells = {"cat3_0": 3, "cont_0": 9, "bern_0": 2}  # columns of each code's sweep, 2 rows of 28x28 images
    for name, columns in cells.items():
        assert images[f"traversal of {name}"].size == (columns * 29 + 1, 2 * 29 + 1)
        assert f'id="traversal-{name}"' in page
        animation = images[f"animated traversal of {name}"]
        assert animation.format == "GIF" and animation.n_frames == (2 * columns - 2 if name == "cont_0" else columns)


def test_curves_are_drawn_from_the_history(page):
    assert _images(page)["training curves"].size[0] > 500


def test_curve_panels_are_those_with_logged_values():
    history = [{**entry, "contrastive_loss": 0.3, "blank_share": 0.0 if entry["step"] < 6 else None}
               for entry in HISTORY]
    assert [heading for heading, _ in report.curve_panels(history, SPEC.code_names())] == [
        "Losses", "Discriminator outputs", "Blank traversal images (share)", "MI lower bound per code (nats)",
        "Regularisers"]
    assert [heading for heading, _ in report.curve_panels(HISTORY, ["cont_0"])] == [
        "Losses", "Discriminator outputs"]
    single = report.render_report(METRICS, networks.build_generator(SPEC, (28, 28, 1)), SPEC,
                                  [{"step": 2, "d_loss": 1.0}], rows=1, seed=0)
    assert _images(single)["training curves"].size[0] < _images(report.render_report(
        METRICS, networks.build_generator(SPEC, (28, 28, 1)), SPEC, history, rows=1, seed=0))["training curves"].size[0]


def test_empty_history_is_said_not_drawn():
    generator = networks.build_generator(latents.parse_latent_spec("cont:1", 2), (28, 28, 1))
    page = report.render_report(METRICS, generator, latents.parse_latent_spec("cont:1", 2), [], rows=1, seed=0)
    assert "No training history" in page and "training curves" not in page


@pytest.mark.parametrize("span, caption", [(None, "columns -2 to 2 (9 values)"), (1.0, "columns -1 to 1 (9 values)")])
def test_traversals_sweep_the_runs_traversal_range(span, caption):
    spec = latents.parse_latent_spec("cont:1", 2)
    page = report.render_report(METRICS, networks.build_generator(spec, (28, 28, 1)), spec, [], rows=1, seed=0,
                                span=span)
    assert f"cont_0: {caption}" in page


def test_the_summary_comes_first_and_the_full_table_last(page):
    assert page.index("<h2>Summary</h2>") < page.index("<h2>Latent traversals</h2>") < page.index("<h2>All metrics")
    summary = page.split('<table class="summary">')[1].split("</table>")[0]
    assert "cat3_0: matched accuracy" in summary and ">0.1235<" in summary and "chance 0.333" in summary


def test_purity_from_a_classifier_that_cannot_read_the_factor_is_flagged_not_shown():
    metrics = {
        **METRICS,
        "disentanglement": {"mig": 0.31, "factor_vae": {"eval_accuracy": 0.72}, "sap": 0.05},
        "disentanglement_baseline": {"mig": 0.55, "factor_vae": {"eval_accuracy": 0.38}, "sap": 0.03},
        "image_quality": {
            "classifier_heldout_accuracy": {"orientation": 0.022, "shape": 0.97},
            "class_purity": {"cat3_0": {"orientation": {"purity": 1.0}, "shape": {"purity": 0.875}}},
        },
    }
    rows = report.summary_table(metrics, SPEC).split("<tr>")
    orientation = next(row for row in rows if "class purity on orientation" in row)
    assert ("untrusted: the feature classifier names orientation correctly on only 2.2% of held-out images"
            in orientation)
    assert 'class="value"' not in orientation and '<td class="untrusted">untrusted</td>' in orientation
    assert '<td class="value">0.875</td>' in next(row for row in rows if "class purity on shape" in row)
    mig = next(row for row in rows if row.startswith("<td>MIG</td>"))
    assert '<td class="value">0.31</td>' in mig and "pixel centroid 0.55" in mig
    full = report.metric_table(metrics)
    assert "1 <span class=\"untrusted\">(untrusted: the feature classifier names orientation" in full
    assert "0.875 <span" not in full


def test_the_information_table_marks_each_factors_top_code_and_runner_up():
    metrics = {**METRICS, "disentanglement": {
        "mig": 0.3, "factor_names": ["shape", "x_position", "colour"],
        "mig_information": {"cat3_0": [0.02, 0.16, None], "cont_0": [0.01, 0.67, None], "bern_0": [0.03, 0.01, None]},
    }}
    table = report.information_table(metrics)
    rows = {row.split("</td>")[0]: row for row in table.split("<tr><td>")[1:]}
    assert "<th>shape</th><th>x_position</th><th>colour</th>" in table
    assert '<td class="value top">0.67</td>' in rows["cont_0"]
    assert '<td class="value second">0.16</td>' in rows["cat3_0"]
    assert '<td class="value top">0.03</td>' in rows["bern_0"]
    assert '<td class="value second">0.02</td>' in rows["cat3_0"]
    assert all('<td class="value">n/a</td>' in row for row in rows.values()), "a constant factor ranks no code"
    assert report.render_report(metrics, networks.build_generator(SPEC, (28, 28, 1)), SPEC, HISTORY, rows=1,
                                seed=0).count('table class="information"') == 1
    assert report.information_table(METRICS) == ""


def test_wide_traversal_grids_shrink_to_the_page_instead_of_overflowing(page):
    """A 64x64 run's nine-column grid is wider than the page's 1100 px; the style scales it down, keeping its shape."""
    grid_rule = re.search(r"img\.grid \{([^}]*)\}", page).group(1)
    figure_rule = re.search(r"figure \{([^}]*)\}", page).group(1)
    assert "max-width: 100%" in grid_rule and "height: auto" in grid_rule
    assert "max-width: calc(100% - 1.5em)" in figure_rule
