"""PNG plots of a run's summary (``seqvrf simulate --plot``); matplotlib is the
optional extra ``plot`` (``pip install 'seqvrf[plot]'``) and is imported only here."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["PlotUnavailable", "write_plots"]


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def write_plots(summary: dict[str, Any], out_dir: str) -> list[str]:
    """Write slots_per_epoch.png, takeover_latency.png and produced_vs_expected.png.

    Returns:
        The paths written.

    Raises:
        PlotUnavailable: matplotlib is missing (install the ``plot`` extra).
    """
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'seqvrf[plot]'") from None
    paths = []
    epochs = summary["epochs"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar([e["epoch"] for e in epochs], [100 * e["fraction"] for e in epochs], color="tab:blue")
    ax.set_xlabel("epoch")
    ax.set_ylabel("slots filled (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Slots filled per epoch")
    paths.append(os.path.join(out_dir, "slots_per_epoch.png"))
    fig.tight_layout()
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    values = [1000 * v for v in summary["takeover_latency_s"]["values"]]
    ax.hist(values or [0], bins=30, color="tab:orange")
    ax.set_xlabel("slot start to backup block (ms)")
    ax.set_ylabel("takeovers")
    ax.set_title(f"Takeover latency ({len(values)} takeovers)")
    paths.append(os.path.join(out_dir, "takeover_latency.png"))
    fig.tight_layout()
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    vals = summary["validators"]
    exp = [v["expected_slots"] for v in vals]
    got = [v["produced"] for v in vals]
    ax.scatter(exp, got, s=12)
    top = max(exp + got + [1])
    ax.plot([0, top], [0, top], color="grey", linewidth=1)
    ax.set_xlabel("expected slots (stake share)")
    ax.set_ylabel("produced slots")
    ax.set_title("Produced vs expected per validator")
    paths.append(os.path.join(out_dir, "produced_vs_expected.png"))
    fig.tight_layout()
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths
