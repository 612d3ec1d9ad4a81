"""The lectures' diagrams, drawn with matplotlib and saved as SVG beside each notebook.

    .venv/bin/python tools/diagrams.py            # (re)writes every source/NN_name/*.svg
    .venv/bin/python tools/diagrams.py --check    # exit 1 if a stored SVG differs from what this draws

nbgrader copies the files of a lecture's folder into its release, so each notebook shows its
diagrams with ``![...](name.svg)``.  The SVGs are deterministic (no date, fixed ids), so a
change of drawing code shows as a change of file.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
plt.rcParams.update({"svg.hashsalt": "course", "svg.fonttype": "path", "font.size": 11,
                     "font.family": "DejaVu Sans"})
BLUE, ORANGE, GREEN, GREY, RED = "#4C72B0", "#DD8452", "#55A868", "#8C8C8C", "#C44E52"


def _box(ax, x, y, w, h, text, color=BLUE, fc=None, fontsize=11, alpha=1.0):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                ec=color, fc=fc or "white", lw=1.6, alpha=alpha))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, a, b, color="black", text=None, style="-|>", lw=1.4, rad=0.0, fontsize=9, offset=(0, 0.12)):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=12, color=color, lw=lw,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2))
    if text:
        ax.text((a[0] + b[0]) / 2 + offset[0], (a[1] + b[1]) / 2 + offset[1], text, ha="center", va="bottom",
                fontsize=fontsize, color=color)


def _canvas(w, h, xlim, ylim):
    fig, ax = plt.subplots(figsize=(w, h))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def computational_graph():
    """03: y_hat = w1*x^2 + w2*x + b, loss = (y_hat - y)^2, forward (black) and backward (red)."""
    fig, ax = _canvas(10, 4.2, (0, 12), (0, 5))
    nodes = {"x": (0.8, 3.8), "w1": (0.8, 2.6), "w2": (0.8, 1.4), "b": (0.8, 0.4),
             "x²": (3.0, 3.8), "w1·x²": (5.0, 3.2), "w2·x": (3.0, 1.8), "+": (7.0, 2.4), "+b": (8.6, 1.6),
             "−y, ²": (10.4, 1.6)}
    for name, (x, y) in nodes.items():
        leaf = name in ("x", "w1", "w2", "b")
        _box(ax, x, y, 1.1 if leaf else 1.3, 0.6, name, color=GREEN if name in ("w1", "w2", "b") else BLUE)
    for a, b in [("x", "x²"), ("x²", "w1·x²"), ("w1", "w1·x²"), ("x", "w2·x"), ("w2", "w2·x"),
                 ("w1·x²", "+"), ("w2·x", "+"), ("+", "+b"), ("b", "+b"), ("+b", "−y, ²")]:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        _arrow(ax, (x0 + 0.6, y0), (x1 - 0.65, y1))
    ax.text(11.3, 1.6, "loss", va="center", fontsize=11)
    _arrow(ax, (10.4, 1.1), (8.6, 1.1), color=RED, text="∂loss/∂ŷ = 2(ŷ − y)", offset=(0, -0.45))
    _arrow(ax, (8.2, 1.25), (1.3, 0.5), color=RED, text="∂loss/∂b", rad=-0.05, offset=(0, -0.4))
    _arrow(ax, (6.6, 2.1), (1.3, 1.35), color=RED, text="∂loss/∂w2 = ∂loss/∂ŷ · x", rad=0.05, offset=(-0.2, -0.55))
    _arrow(ax, (4.5, 2.95), (1.3, 2.55), color=RED)
    ax.text(2.9, 2.2, "∂loss/∂w1 = ∂loss/∂ŷ · x²", color=RED, fontsize=9, ha="center", rotation=7)
    ax.text(0.1, 4.75, "forward: black, from the inputs to the loss      backward (loss.backward()): red, "
            "from the loss to every leaf with requires_grad=True", fontsize=9.5, color="#333333")
    return fig


def network_8_6_4_1():
    """06: the diabetes network, 8 -> 6 -> 4 -> 1, sigmoid at the output."""
    fig, ax = _canvas(10, 4.6, (-0.5, 13), (-1.2, 8.6))
    layers = [8, 6, 4, 1]
    xs = [1, 4.5, 8, 11]
    pos = []
    for n, x in zip(layers, xs):
        top = 4 + (n - 1) / 2
        pos.append([(x, top - i) for i in range(n)])
    for a, b in zip(pos, pos[1:]):
        for p in a:
            for q in b:
                ax.plot([p[0], q[0]], [p[1], q[1]], color=GREY, lw=0.5, alpha=0.6, zorder=1)
    for i, (layer, x) in enumerate(zip(pos, xs)):
        for p in layer:
            ax.add_patch(plt.Circle(p, 0.28, fc=[GREEN, BLUE, BLUE, ORANGE][i], ec="black", lw=0.8, zorder=2))
    labels = ["8 features\n(x: N × 8)", "nn.Linear(8, 6)\n+ activation", "nn.Linear(6, 4)\n+ activation",
              "nn.Linear(4, 1)\n+ sigmoid"]
    for x, text in zip(xs, labels):
        ax.text(x, -0.45, text, ha="center", va="top", fontsize=9)
    ax.text(11.45, 4.0, "P(diabetes\n progresses)", va="center", fontsize=9)
    return fig


def conv_padding_stride():
    """09: a 3x3 kernel sliding over a 5x5 input with padding 1 and stride 2 -> 3x3 output."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [7, 3]})
    ax = axes[0]
    ax.set_xlim(-0.2, 7.2)
    ax.set_ylim(-0.2, 7.6)
    ax.set_aspect("equal")
    ax.axis("off")
    for i in range(7):
        for j in range(7):
            pad = i in (0, 6) or j in (0, 6)
            ax.add_patch(Rectangle((j, 6 - i), 1, 1, fc="#EEEEEE" if pad else "white", ec=GREY, lw=0.8))
            if not pad:
                ax.text(j + 0.5, 6.5 - i, str((i - 1) * 5 + j), ha="center", va="center", fontsize=8)
            else:
                ax.text(j + 0.5, 6.5 - i, "0", ha="center", va="center", fontsize=8, color=GREY)
    for (r, c), color in (((0, 0), BLUE), ((0, 2), ORANGE), ((2, 0), GREEN)):
        ax.add_patch(Rectangle((c, 4 - r), 3, 3, fc="none", ec=color, lw=2.6))
    ax.text(3.5, 7.3, "input 5 × 5, padding 1 (grey zeros), kernel 3 × 3, stride 2", ha="center", fontsize=10)
    out = axes[1]
    out.set_xlim(-0.2, 3.2)
    out.set_ylim(-0.2, 4.2)
    out.set_aspect("equal")
    out.axis("off")
    for i in range(3):
        for j in range(3):
            color = {(0, 0): BLUE, (0, 1): ORANGE, (1, 0): GREEN}.get((i, j))
            out.add_patch(Rectangle((j, 2 - i), 1, 1, fc=color or "white", ec=GREY, lw=0.8, alpha=0.5 if color else 1))
    out.text(1.5, 3.4, "output 3 × 3", ha="center", fontsize=10)
    out.text(1.5, -0.6, "out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3", ha="center", va="top", fontsize=10)
    out.set_ylim(-1.4, 4.2)
    fig.tight_layout()
    return fig


def inception_block():
    """10: the Inception block of the course, 16 + 24 + 24 + 24 = 88 channels, same height and width."""
    fig, ax = _canvas(10, 5.6, (0, 12), (0, 7.4))
    _box(ax, 6, 6.8, 3.2, 0.6, "input: C channels, H × W", color=GREEN)
    branches = [                       # left to right in the order of the concatenation (Exercise 2)
        (1.6, ["1×1 conv → 16"]),
        (4.5, ["1×1 conv → 16", "5×5 conv, pad 2 → 24"]),
        (7.5, ["1×1 conv → 16", "3×3 conv, pad 1 → 24", "3×3 conv, pad 1 → 24"]),
        (10.4, ["avg pool 3×3, pad 1", "1×1 conv → 24"]),
    ]
    for x, steps in branches:
        y = 5.4
        _arrow(ax, (6, 6.45), (x, y + 0.35))
        for k, text in enumerate(steps):
            _box(ax, x, y, 2.6, 0.6, text, color=BLUE if "conv" in text else ORANGE, fontsize=9.5)
            if k + 1 < len(steps):
                _arrow(ax, (x, y - 0.32), (x, y - 1.0))
            y -= 1.35
        _arrow(ax, (x, y + 1.03), (6, 1.25))
    _box(ax, 6, 0.9, 8.4, 0.6, "torch.cat([1×1, 5×5, 3×3, pool], dim=1): 16 + 24 + 24 + 24 = 88 channels, H × W", color=GREEN, fontsize=10)
    return fig


def residual_block():
    """10: the residual block, y = relu(x + conv(relu(conv(x))))."""
    fig, ax = _canvas(6.5, 6, (0, 8.6), (0, 7.6))
    _box(ax, 3.2, 7.0, 2.8, 0.6, "x (C channels)", color=GREEN)
    _box(ax, 3.2, 5.6, 3.8, 0.6, "3×3 conv, pad 1 (C → C)")
    _box(ax, 3.2, 4.4, 1.4, 0.6, "ReLU", color=ORANGE)
    _box(ax, 3.2, 3.2, 3.8, 0.6, "3×3 conv, pad 1 (C → C)")
    _box(ax, 3.2, 1.9, 1.0, 0.6, "+", color=RED)
    _box(ax, 3.2, 0.7, 2.6, 0.6, "ReLU → y", color=ORANGE)
    for a, b in ((6.68, 5.92), (5.28, 4.72), (4.08, 3.52), (2.88, 2.22), (1.58, 1.02)):
        _arrow(ax, (3.2, a), (3.2, b))
    ax.plot([4.62, 5.7, 5.7], [7.0, 7.0, 1.9], color=RED, lw=1.6)  # the shortcut goes around the layers
    _arrow(ax, (5.7, 1.9), (3.72, 1.9), color=RED, lw=1.6)
    ax.text(7.3, 4.4, "shortcut: x itself\n(the gradient flows\nthrough the +\nunchanged)", fontsize=9, color=RED,
            ha="center", va="center")
    ax.text(0.0, 4.4, "F(x)", fontsize=10, color=BLUE, va="center")
    ax.plot([0.9, 1.0, 1.0, 0.9], [5.6, 5.6, 3.2, 3.2], color=BLUE, lw=1)
    ax.text(3.2, -0.1, "y = ReLU(x + F(x)): same shape in and out", ha="center", fontsize=9.5)
    return fig


def rnn_unrolled():
    """11: one RNNCell applied at every time step, the hidden state carried along."""
    fig, ax = _canvas(10, 3.8, (0, 12.5), (0, 4.6))
    _box(ax, 1.2, 2.2, 1.6, 1.0, "RNN\ncell", color=BLUE)
    ax.add_patch(FancyArrowPatch((1.9, 2.6), (0.5, 2.6), arrowstyle="-|>", mutation_scale=12, color=RED, lw=1.4,
                                 connectionstyle="arc3,rad=1.6"))
    ax.text(2.6, 2.2, "=", fontsize=20, va="center")
    for t in range(4):
        x = 4.2 + 2.3 * t
        _box(ax, x, 2.2, 1.5, 1.0, "RNN\ncell", color=BLUE)
        label = f"x{t + 1}" if t < 3 else "x_T"
        ax.text(x, 0.5, label, ha="center", fontsize=11)
        _arrow(ax, (x, 0.8), (x, 1.68))
        ax.text(x, 4.1, f"h{t + 1}" if t < 3 else "h_T", ha="center", fontsize=11)
        _arrow(ax, (x, 2.72), (x, 3.95))
        if t < 3:
            _arrow(ax, (x + 0.77, 2.2), (x + 1.53, 2.2), color=RED)
    _arrow(ax, (2.9, 2.2), (3.43, 2.2), color=RED)
    ax.text(3.0, 2.45, "h0", fontsize=10, color=RED)
    ax.text(6.25, -0.1, "the same weights at every step: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)",
            ha="center", fontsize=9.5)
    return fig


def padding_and_packing():
    """12: names of different lengths padded to one tensor, then packed (sorted by length) for the GRU."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    names = ["Maria", "Li", "Nakamura", "Olga"]
    longest = max(map(len, names))
    for ax, packed in zip(axes, (False, True)):
        ax.set_xlim(-2.2, longest + 0.3)
        ax.set_ylim(-0.8, len(names) + 0.9)
        ax.set_aspect("equal")
        ax.axis("off")
        order = sorted(names, key=len, reverse=True) if packed else names
        for row, name in enumerate(order):
            y = len(names) - 1 - row
            ax.text(-0.2, y + 0.5, f"{name} ({len(name)})", ha="right", va="center", fontsize=9)
            for col in range(longest):
                real = col < len(name)
                if packed and not real:
                    continue
                ax.add_patch(Rectangle((col, y), 1, 1, fc=BLUE if real else "#EEEEEE", ec="white", lw=1.5,
                                       alpha=0.85 if real else 1))
                ax.text(col + 0.5, y + 0.5, name[col] if real else "0", ha="center", va="center", fontsize=9,
                        color="white" if real else GREY)
        if packed:
            for col in range(longest):
                n = sum(len(nm) > col for nm in names)
                ax.text(col + 0.5, -0.45, str(n), ha="center", fontsize=8, color=RED)
            ax.text(longest / 2, len(names) + 0.45, "pack_padded_sequence: sorted by length, no padding computed\n"
                    "(red: batch size at each time step)", ha="center", fontsize=9.5)
        else:
            ax.text(longest / 2, len(names) + 0.45, "padded: one (batch × max_len) tensor of character codes, 0 = pad",
                    ha="center", fontsize=9.5)
    fig.tight_layout()
    return fig


DIAGRAMS = {
    "03_back_propagation/computational_graph.svg": computational_graph,
    "06_multiple_dimension_input/network_8_6_4_1.svg": network_8_6_4_1,
    "09_cnn_basics/conv_padding_stride.svg": conv_padding_stride,
    "10_cnn_advanced/inception_block.svg": inception_block,
    "10_cnn_advanced/residual_block.svg": residual_block,
    "11_rnn_basics/rnn_unrolled.svg": rnn_unrolled,
    "12_rnn_classifier/padding_and_packing.svg": padding_and_packing,
}


def render(draw) -> bytes:
    fig = draw()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "tools/diagrams.py"})
    plt.close(fig)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare with the stored files")
    parser.add_argument("--root", type=Path, default=ROOT / "source")
    args = parser.parse_args()
    stale = []
    for rel, draw in DIAGRAMS.items():
        path = args.root / rel
        svg = render(draw)
        if args.check:
            if not path.exists() or path.read_bytes() != svg:
                stale.append(rel)
        else:
            path.write_bytes(svg)
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if stale:
        print("stale diagrams (run tools/diagrams.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
