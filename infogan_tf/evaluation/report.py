"""report.html: one self-contained page per evaluated run: a summary, the traversals, the curves, then every number.

The summary gives each headline metric with its range, what it measures and the baseline where there is one; a
number that cannot be trusted (class purity judged by a feature classifier that cannot read that factor) is flagged
with the reason instead of being shown plain, there and in the full table.

Images are embedded as base64 PNG data URIs and the page loads nothing else, so it can be mailed, attached to an
issue or opened from disk without a server. Figures are drawn with matplotlib's Agg canvas directly, without pyplot,
so rendering never touches a display or the global backend.
"""

from __future__ import annotations

import base64
import html
import io

import keras
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from infogan_tf import latents, traversal

SECTIONS = {
    "codes": "Categorical codes against the held-out labels",
    "disentanglement": "Disentanglement: code columns against ground-truth factors",
    "disentanglement_baseline": "Baseline: pixel centroid x, y and ink mass against ground-truth factors",
    "generated": "Generated images: the encoder on G's own codes, and G's codes against the classifier's factors",
    "image_quality": "Sample quality in the feature classifier's space",
    "mi_estimates_nats": "MI lower bound per code at the end of training (nats)",
    "skipped": "Skipped",
    "protocol": "Protocol: sample counts",
}
CURVES = (
    ("Losses", ("d_loss", "g_loss", "mi_loss")),
    ("Discriminator outputs", ("d_real", "d_fake")),
    ("Pixel contrast (per-image std)", ("pixel_std_real", "pixel_std_fake")),
    ("Blank traversal images (share)", ("blank_share",)),
)
_SHARE_PANELS = {"Blank traversal images (share)"}  # drawn on the whole 0..1 scale, so 0 reads as none
_CORE_LOSSES = ("d_loss", "g_loss", "mi_loss")
_MIN_DISPLAY_PIXELS = 84  # small images (28x28) are shown at least this large, scaled by a whole factor
_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }
.warning { background: #fff3cd; border: 1px solid #e0b000; padding: 0.6em; font-weight: bold; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th.section { background: #e8eef7; }
td.value { font-family: monospace; }
img.grid { image-rendering: pixelated; border: 1px solid #ccc; max-width: 100%; height: auto; }
img.curves { max-width: 100%; height: auto; }
figure { display: inline-block; margin: 0 1.5em 1.5em 0; max-width: calc(100% - 1.5em); }
.untrusted { color: #9a3412; font-style: italic; }
table.summary td:nth-child(4) { max-width: 420px; }
table.summary td.value { width: 6em; }
img.animation { display: block; margin-top: 0.5em; }
table.information caption { text-align: left; padding-bottom: 0.3em; }
table.information td.top { font-weight: bold; }
table.information td.second { text-decoration: underline; }
"""


def render_report(
    metrics: dict,
    generator: keras.Model,
    spec: latents.LatentSpec,
    history: list[dict],
    *,
    rows: int,
    seed: int,
    span: float | None = None,
) -> str:
    """The HTML page for one evaluation: summary, real-vs-generated diagnosis, traversals, curves, full table.

    `span`: continuous codes sweep -span..span in the traversals, as in the run's own grids (None: the default)."""
    title = f"InfoGAN evaluation: {metrics['dataset']} at step {metrics['global_step']}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<pre><code>{html.escape(metrics['command'])}</code></pre>",
        *([f'<p class="warning">{html.escape(metrics["warning"])}</p>'] if metrics.get("warning") else []),
        "<h2>Summary</h2>",
        summary_table(metrics, spec),
        diagnosis_table(metrics),
        information_table(metrics),
        "<h2>Latent traversals</h2>",
        _traversals(generator, spec, rows, seed, span),
        "<h2>Training curves</h2>",
        _curves(history, spec.code_names()),
        "<h2>All metrics</h2>",
        metric_table(metrics),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


TRUSTED_CLASSIFIER_ACCURACY = 0.5  # a judge that names a factor wrongly on most held-out images proves nothing
FACTOR_HEADLINES = (
    ("MIG", ("mig",), "0 to 1",
     "per factor, the gap in mutual information between the two codes that tell most about it, averaged: high when "
     "one code alone carries each factor"),
    ("FactorVAE score", ("factor_vae", "eval_accuracy"), "1 / #factors to 1",
     "how often a vote on the code that varies least names the factor held fixed in a batch"),
    ("DCI disentanglement", ("dci", "disentanglement"), "0 to 1",
     "how much each code's importance for predicting the factors falls on one factor"),
    ("SAP", ("sap",), "0 to 1", "per factor, the gap in linear predictability between its two best codes"),
)


def _get(section: dict | None, path: tuple[str, ...]):
    for key in path:
        section = section.get(key) if isinstance(section, dict) else None
    return section


def untrusted_targets(metrics: dict) -> dict[str, float]:
    """Targets (labels or factors) the feature classifier reads too poorly for class purity to mean anything."""
    accuracy = _get(metrics, ("image_quality", "classifier_heldout_accuracy")) or {}
    if not isinstance(accuracy, dict):
        accuracy = {"label": accuracy}
    return {target: value for target, value in accuracy.items()
            if value is not None and value < TRUSTED_CLASSIFIER_ACCURACY}


def _untrusted_note(target: str, accuracy: float) -> str:
    return (f"untrusted: the feature classifier names {target} correctly on only {accuracy:.1%} of held-out images "
            f"(below {TRUSTED_CLASSIFIER_ACCURACY:.0%}), so it cannot judge purity")


def summary_table(metrics: dict, spec: latents.LatentSpec) -> str:
    """The headline metrics: value, range, meaning and baseline, one row each; untrusted values flagged."""
    rows = []
    for name, scores in (metrics.get("codes") or {}).items():
        code = next((c for c, n in zip(spec.codes, spec.code_names(), strict=True) if n == name), None)
        size = code.num_categories if code is not None and code.nominal else None
        rows.append((f"{name}: matched accuracy", _format(scores.get("matched_accuracy")),
                     f"{'1/' + str(size) if size else 'chance'} to 1",
                     "accuracy of the best one-to-one mapping from the code's values to the held-out labels",
                     f"chance {1 / size:.3g}" if size else "", ""))
    for name, path, value_range, meaning in FACTOR_HEADLINES:
        value = _get(metrics.get("disentanglement"), path)
        if value is not None:
            baseline = _get(metrics.get("disentanglement_baseline"), path)
            rows.append((name, _format(value), value_range, meaning,
                         f"pixel centroid {_format(baseline)}" if baseline is not None else "", ""))
    distance = _get(metrics, ("image_quality", "frechet_distance"))
    if distance is not None:
        rows.append(("Fréchet distance", _format(distance), "0 and up, lower is better",
                     "distance between real and generated images' feature statistics (feature classifier's space)",
                     "", ""))
    untrusted = untrusted_targets(metrics)
    for code_name, targets in (_get(metrics, ("image_quality", "class_purity")) or {}).items():
        for target, result in targets.items():
            flag = _untrusted_note(target, untrusted[target]) if target in untrusted else ""
            rows.append((f"{code_name}: class purity on {target}", "" if flag else _format(result.get("purity")),
                         "chance to 1", f"how often generated images of one code value share the classifier's "
                         f"{target} class", "", flag))
    if not rows:
        return "<p>No headline metric: see All metrics.</p>"
    lines = ['<table class="summary">',
             "<tr><th>metric</th><th>value</th><th>range</th><th>what it measures</th><th>baseline</th></tr>"]
    for name, value, value_range, meaning, baseline, flag in rows:
        # A flagged row says "untrusted" where its number would be and why beside the meaning, where there is room.
        shown = '<td class="untrusted">untrusted</td>' if flag else f'<td class="value">{value}</td>'
        why = f'<br><span class="untrusted">{html.escape(flag)}</span>' if flag else ""
        lines.append(f"<tr><td>{html.escape(name)}</td>{shown}<td>{html.escape(value_range)}</td>"
                     f"<td>{html.escape(meaning)}{why}</td><td>{html.escape(baseline)}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


DIAGNOSIS_ROWS = (
    ("encoder on real images, true factors", ("disentanglement",)),
    ("pixel-centroid baseline on real images, true factors", ("disentanglement_baseline",)),
    ("encoder on generated images, G's codes as factors", ("generated", "self_labelled")),
    ("G's codes against the factors the classifier reads off G's images", ("generated", "generator_mig")),
)


def diagnosis_table(metrics: dict) -> str:
    """MIG and FactorVAE side by side for real and generated images: high on generated but low on real images
    means Q does not transfer; low on both means G has not disentangled. Empty without factor data."""
    if "disentanglement" not in metrics:
        return ""
    lines = ['<table class="diagnosis">', "<tr><th>scored</th><th>MIG</th><th>FactorVAE (eval)</th></tr>"]
    for label, path in DIAGNOSIS_ROWS:
        scores = metrics
        for key in path:
            scores = (scores or {}).get(key)
        if not scores:
            continue
        factor_vae = (scores.get("factor_vae") or {}).get("eval_accuracy")
        lines.append(f"<tr><td>{html.escape(label)}</td><td class=\"value\">{_format(scores.get('mig'))}</td>"
                     f"<td class=\"value\">{_format(factor_vae)}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def information_table(metrics: dict) -> str:
    """MIG's own table for the encoder on real images: I(code; factor) / H(factor), a row per code. A factor's MIG is
    its column's top cell (bold) minus the runner-up (underlined), so the table names the code that carries each
    factor and the second code that takes its score down. Empty without factor data."""
    section = metrics.get("disentanglement") or {}
    table, factor_names = section.get("mig_information"), section.get("factor_names")
    if not table or not factor_names:
        return ""
    ranks = [_rank_of_each(column) for column in zip(*table.values())]
    lines = ['<table class="information">',
             "<caption>Encoder on real images: I(code; factor) / H(factor); per factor, MIG = the bold cell minus "
             "the underlined one</caption>",
             "<tr><th>code</th>" + "".join(f"<th>{html.escape(name)}</th>" for name in factor_names) + "</tr>"]
    for row, (code, values) in enumerate(table.items()):
        cells = []
        for column, value in enumerate(values):
            rank = ranks[column][row]
            style = {0: "value top", 1: "value second"}.get(rank, "value")
            cells.append(f'<td class="{style}">{_format(value)}</td>')
        lines.append(f"<tr><td>{html.escape(code)}</td>{''.join(cells)}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _rank_of_each(values: tuple) -> list[int | None]:
    """Each value's place from the largest (0 = largest); None (a constant factor) has no place."""
    order = sorted((i for i, value in enumerate(values) if value is not None), key=lambda i: -values[i])
    places = {index: place for place, index in enumerate(order)}
    return [places.get(i) for i in range(len(values))]


def metric_table(metrics: dict) -> str:
    """An HTML table with one header row per section present in `metrics` and one row per leaf value; class purity
    judged by an untrusted classifier carries the flag next to its number."""
    untrusted = untrusted_targets(metrics)
    lines = ['<table class="metrics">']
    for key, heading in SECTIONS.items():
        if not metrics.get(key):
            continue
        lines.append(f'<tr><th class="section" colspan="2">{html.escape(heading)}</th></tr>')
        for name, value in _leaves(metrics[key]):
            parts = name.split(" / ")
            target = parts[2] if key == "image_quality" and parts[0] == "class_purity" and len(parts) > 3 else None
            flag = f' <span class="untrusted">({html.escape(_untrusted_note(target, untrusted[target]))})</span>' \
                if target in untrusted else ""
            lines.append(f'<tr><td>{html.escape(name)}</td><td class="value">{html.escape(_format(value))}{flag}'
                         "</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _leaves(section: dict, prefix: str = "") -> list[tuple[str, object]]:
    """(path, value) for every non-dict value of a nested dict, the path joined with " / "."""
    leaves = []
    for key, value in section.items():
        if isinstance(value, dict):
            leaves.extend(_leaves(value, f"{prefix}{key} / "))
        else:
            leaves.append((f"{prefix}{key}", value))
    return leaves


def _format(value: object) -> str:
    """Numbers to 4 significant digits, lists inline, None as "n/a"."""
    if isinstance(value, list):
        return ", ".join(_format(item) for item in value)
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _traversals(generator: keras.Model, spec: latents.LatentSpec, rows: int, seed: int, span: float | None) -> str:
    """One figure per code: its traversal grid, scaled up without smoothing, and what the columns sweep."""
    if not spec.codes:
        return "<p>The run has no structured codes.</p>"
    scale = -(-_MIN_DISPLAY_PIXELS // generator.output_shape[1])
    figures = []
    for index, (code, name) in enumerate(zip(spec.codes, spec.code_names(), strict=True)):
        images = traversal.traversal_images(generator, spec, index, rows, seed, span)
        grid = traversal.tile(images, rows)
        values = code.sweep_values(span)
        caption = (
            f"{name}: columns {values[0]:g} to {values[-1]:g} ({len(values)} values); each row keeps one draw of the "
            "noise and the other codes. The animation sweeps the same values."
        )
        gif = _data_uri(traversal.gif_bytes(images, rows, code), "image/gif")
        figures.append(
            f'<figure id="traversal-{html.escape(name)}"><img class="grid" width="{grid.shape[1] * scale}" '
            f'alt="traversal of {html.escape(name)}" src="{_data_uri(traversal.png_bytes(grid))}">'
            f'<img class="grid animation" width="{(rows * (images.shape[2] + 1) + 1) * scale}" '
            f'alt="animated traversal of {html.escape(name)}" src="{gif}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return "\n".join(figures)


def curve_panels(history: list[dict], code_names: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(heading, history keys) of every panel with something to draw: a run from before a logged value existed
    shows no empty panel for it."""
    panels = [*CURVES, ("MI lower bound per code (nats)", tuple(f"mi_{name}" for name in code_names))]
    regularizer_keys = sorted({key for entry in history for key in entry
                               if key.endswith(("_loss", "_accuracy")) and key not in _CORE_LOSSES})
    panels.append(("Regularisers", tuple(regularizer_keys)))
    return [(heading, keys) for heading, keys in panels
            if any(entry.get(key) is not None for entry in history for key in keys)]


def _curves(history: list[dict], code_names: list[str]) -> str:
    """Losses, D's outputs, real and fake pixel contrast, the share of blank drawings, the per-code MI estimates and
    the regularisers over the training steps, as one embedded PNG."""
    panels = curve_panels(history, code_names)
    if not panels:
        return "<p>No training history (history.jsonl is empty or missing).</p>"
    figure = Figure(figsize=(3.6 * len(panels), 3.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    for axes, (heading, keys) in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels, strict=True):
        for key in keys:
            points = [(entry["step"], entry[key]) for entry in history if entry.get(key) is not None]
            if points:
                steps, values = zip(*points, strict=True)
                axes.plot(steps, values, marker="." if len(points) < 20 else None, label=key)
        axes.set_title(heading)
        axes.set_xlabel("step")
        if heading in _SHARE_PANELS:
            axes.set_ylim(-0.05, 1.05)
        if axes.has_data():
            axes.legend(fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return f'<img class="curves" alt="training curves" src="{_data_uri(buffer.getvalue())}">'
