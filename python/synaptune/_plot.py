"""bmtool's plots in matplotlib (an optional extra: ``pip install
synaptune[plot]``). Every function returns the figure it drew."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np

_HINT = "synaptune's plots need matplotlib: pip install synaptune[plot] (or pip install matplotlib)"


def pyplot():
    """``matplotlib.pyplot``, or an ImportError saying how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised by the no-matplotlib test
        raise ImportError(_HINT) from e
    return plt


def _event_index(traces: dict, dt: float) -> int:
    spikes = traces["spikes"]
    t0 = float(spikes[0]) if len(spikes) else 0.0
    return int(np.round(t0 / dt))


def synapse_run(
    traces: dict,
    *,
    connection: str,
    vclamp: bool,
    dt: float,
    xlim: Sequence[float],
    record: List[str],
    peaks: Optional[List[Optional[int]]] = None,
    show: bool = True,
):
    """bmtool's ``_plot_model``: the synaptic current (pA, baseline removed,
    numbered pulses), the clamp current or the soma voltage, the recorded
    variables; a 2-column grid."""
    plt = pyplot()
    n = 2 + len(record)
    rows = (n + 1) // 2
    fig, axs = plt.subplots(rows, 2, figsize=(12, 7))
    axs = np.asarray(axs).ravel()
    t = traces["t"]
    ispk = min(_event_index(traces, dt), len(t) - 1)
    isyn = traces["i_syn"]
    current = (isyn - isyn[ispk]) * 1000.0
    axs[0].plot(t, current)
    for k, j in enumerate(peaks or []):
        if j is not None:
            axs[0].text(t[j], current[j], str(k + 1))
    axs[0].set_ylabel("Synaptic Current (pA)")
    clamp = traces.get("i_clamp")
    if vclamp and clamp is not None:
        ivcl = np.array(clamp) - clamp[ispk]
        ivcl[:ispk] = 0
        axs[1].plot(t, 1000 * ivcl)
        axs[1].set_ylabel("VClamp Current (pA)")
    else:
        v = np.array(traces["soma_v"])
        v[:ispk] = v[ispk]
        axs[1].plot(t, v)
        axs[1].set_ylabel("Soma Voltage (mV)")
    for i, var in enumerate(record, start=2):
        if var in traces["extras"]:
            axs[i].plot(t, traces["extras"][var])
            axs[i].set_ylabel(var.capitalize())
    for i, ax in enumerate(axs[:n]):
        ax.set_xlim(*xlim)
        if i >= n - 2:
            ax.set_xlabel("Time (ms)")
    for j in range(n, len(axs)):
        fig.delaxes(axs[j])
    fig.suptitle(f"Connection: {connection}")
    if show:
        plt.show()
    return fig


def frequency_response(results: Dict[str, list], log_plot: bool, show: bool = True):
    """bmtool's ``_plot_frequency_analysis``: PPR (both), induction and
    recovery against frequency."""
    plt = pyplot()
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(18, 5))
    f = results["frequencies"]
    draw = (lambda ax: ax.semilogx) if log_plot else (lambda ax: ax.plot)
    draw(ax1)(f, results["ppr"], "o-", label="Normalized PPR")
    draw(ax1)(f, results["simple_ppr"], "s-", label="Simple PPR")
    ax1.axhline(y=1, color="gray", linestyle="--", alpha=0.5)
    ax1.set_xlabel("Frequency (Hz)")
    ax1.set_ylabel("Paired Pulse Ratio")
    ax1.set_title("PPR vs Frequency")
    ax1.legend()
    ax1.grid(True)
    for ax, key, title in ((ax2, "induction", "Induction"), (ax3, "recovery", "Recovery")):
        draw(ax)(f, results[key], "o-")
        ax.axhline(y=0, color="gray", linestyle="--", alpha=0.5)
        ax.set_xlabel("Frequency (Hz)")
        ax.set_ylabel(title)
        ax.set_title(f"{title} vs Frequency")
        ax.grid(True)
    plt.tight_layout()
    if show:
        plt.show()
    return fig


def synaptic_table(df, stp_frequency: float, show: bool = True):
    """bmtool's bar plots of ``generate_synaptic_table`` (needs pandas)."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(15, 10))
    fig.suptitle(
        f"Synaptic Parameters Across Connections (STP at {stp_frequency}Hz)", fontsize=16
    )
    df[["rise_time", "decay_time"]].plot(kind="bar", ax=axes[0, 0])
    axes[0, 0].set_title("Rise and Decay Times")
    axes[0, 0].set_ylabel("Time (ms)")
    df[["ppr", "simple_ppr"]].plot(kind="bar", ax=axes[0, 1])
    axes[0, 1].set_title("Paired-Pulse Ratios")
    axes[0, 1].axhline(y=1, color="gray", linestyle="--", alpha=0.5)
    df["induction"].plot(kind="bar", ax=axes[1, 0], color="green")
    axes[1, 0].set_title("STP Induction")
    axes[1, 0].axhline(y=0, color="gray", linestyle="--", alpha=0.5)
    axes[1, 0].set_ylabel("Induction")
    df["recovery"].plot(kind="bar", ax=axes[1, 1], color="orange")
    axes[1, 1].set_title("STP Recovery")
    axes[1, 1].axhline(y=0, color="gray", linestyle="--", alpha=0.5)
    axes[1, 1].set_ylabel("Recovery")
    for ax in axes.ravel():
        ax.tick_params(axis="x", rotation=45)
    plt.tight_layout()
    if show:
        plt.show()
    return fig


def gap_run(t, v1, v2, cell_name: str, t_range: Sequence[float]):
    """bmtool's ``GapJunctionTuner.plot_model``: both soma voltages."""
    plt = pyplot()
    t = np.asarray(t)
    idx = (t >= t_range[0]) & (t <= t_range[1])
    fig = plt.figure()
    plt.plot(t[idx], np.asarray(v1)[idx], "b", label=f"{cell_name} 1")
    plt.plot(t[idx], np.asarray(v2)[idx], "r", label=f"{cell_name} 2")
    plt.title(f"{cell_name} gap junction")
    plt.xlabel("Time (ms)")
    plt.ylabel("Membrane Voltage (mV)")
    plt.legend()
    return fig


def synapse_fit(path: List[dict], show: bool = True):
    """bmtool's convergence plots of a synapse fit: the error, then each parameter."""
    plt = pyplot()
    it = range(len(path))
    errors = np.array([float(h["error"]) for h in path]).flatten()
    fig1, ax1 = plt.subplots(figsize=(8, 5))
    ax1.plot(it, errors, label="Error")
    ax1.set_xlabel("Iteration")
    ax1.set_ylabel("Error")
    ax1.set_title("Error Convergence")
    ax1.set_yscale("log")
    ax1.legend()
    plt.tight_layout()
    if show:
        plt.show()
    names = list(path[0]["params"]) if path else []
    fig2, axs = plt.subplots(nrows=max(len(names), 1), ncols=1, figsize=(8, 5 * max(len(names), 1)))
    axs = np.atleast_1d(axs)
    for ax, name in zip(axs, names):
        ax.plot(it, [float(h["params"][name]) for h in path], label=name)
        ax.set_xlabel("Iteration")
        ax.set_ylabel("Parameter Value")
        ax.set_title(f"Convergence of {name}")
        ax.legend()
    plt.tight_layout()
    if show:
        plt.show()
    return fig1, fig2


def gap_fit(result, t, v1, v2, cell_name: str, t_range: Sequence[float], show: bool = True):
    """bmtool's four panels of a gap fit: traces, error, resistance, summary."""
    plt = pyplot()
    fig, ((ax1, ax2), (ax3, ax4)) = plt.subplots(2, 2, figsize=(15, 10))
    t = np.asarray(t)
    idx = (t >= t_range[0]) & (t <= t_range[1])
    ax1.plot(t[idx], np.asarray(v1)[idx], "b", label=f"{cell_name} 1")
    ax1.plot(t[idx], np.asarray(v2)[idx], "r", label=f"{cell_name} 2")
    ax1.set_xlabel("Time (ms)")
    ax1.set_ylabel("Membrane Voltage (mV)")
    ax1.legend()
    ax1.set_title("Optimized Voltage Traces")
    ax2.plot([h["error"] for h in result.optimization_path])
    ax2.set_xlabel("Iteration")
    ax2.set_ylabel("Error")
    ax2.set_title("Error Convergence")
    ax2.set_yscale("log")
    ax3.plot([h["resistance"] for h in result.optimization_path])
    ax3.set_xlabel("Iteration")
    ax3.set_ylabel("Resistance")
    ax3.set_title("Resistance Convergence")
    ax3.set_yscale("log")
    text = (
        f"Optimal Resistance: {result.optimal_resistance:.2e}\n"
        f"Target CC: {result.target_cc:.3f}\n"
        f"Achieved CC: {result.achieved_cc:.3f}\n"
        f"Final Error: {result.error:.2e}"
    )
    ax4.text(0.1, 0.7, text, transform=ax4.transAxes, fontsize=10)
    ax4.axis("off")
    plt.tight_layout()
    if show:
        plt.show()
    return fig
