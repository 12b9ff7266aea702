"""bmtool's module path: ``from synaptune.synapses import SynapseTuner`` works
as ``from bmtool.synapses import SynapseTuner`` did."""

from ._gap import GapJunctionTuner
from ._optimize import (
    GapJunctionOptimizer,
    GapOptimizationResult,
    SynapseOptimizationResult,
    SynapseOptimizer,
)
from ._settings import DEFAULT_GAP_JUNCTION_GENERAL_SETTINGS, DEFAULT_GENERAL_SETTINGS
from ._tuner import SynapseTuner

__all__ = [
    "DEFAULT_GAP_JUNCTION_GENERAL_SETTINGS",
    "DEFAULT_GENERAL_SETTINGS",
    "GapJunctionOptimizer",
    "GapJunctionTuner",
    "GapOptimizationResult",
    "SynapseOptimizationResult",
    "SynapseOptimizer",
    "SynapseTuner",
]
