"""synaptune: bmtool's synapse and gap-junction tuners on a native engine.

A notebook written for ``bmtool.synapses`` runs with its import changed::

    from synaptune import SynapseTuner, SynapseOptimizer          # was: from bmtool.synapses import ...
    from synaptune.synapses import GapJunctionTuner               # the module path works too

The classes take bmtool 0.8.7's arguments and give its results (dicts,
dataclasses, numpy arrays, pandas DataFrames, matplotlib figures);
``compat="bmtool"`` gives bmtool's numbers, quirks included, and the default
gives synaptune's definitions, equal to the ``synaptune`` command's JSON. See
the package README for what differs and for synaptune's own calls (batches,
pickling for Dask).
"""

from ._native import SynaptuneError, __version__
from .synapses import *  # noqa: F401,F403  (bmtool's classes and defaults)
from . import synapses as _synapses
from ._optimize import solver_name
from ._progress import set_progress
from ._settings import SynaptuneWarning
from ._tuner import BMTOOL_FREQUENCIES
from ._native import coupling_coefficient, list_connections, networks, stp_metrics, stp_terms

__all__ = [
    *_synapses.__all__,
    "BMTOOL_FREQUENCIES",
    "SynaptuneError",
    "SynaptuneWarning",
    "__version__",
    "coupling_coefficient",
    "list_connections",
    "networks",
    "set_progress",
    "solver_name",
    "stp_metrics",
    "stp_terms",
]
