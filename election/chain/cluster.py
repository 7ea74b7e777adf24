"""Cluster audits on ``dask.distributed`` (the optional ``cluster`` extra).

The shards of :mod:`election.chain.parallel` go to a dask scheduler through the client's
:class:`concurrent.futures.Executor` (``Client.get_executor()``); there is no protocol of
our own.  Workers read the history themselves, so it must be reachable from them: a path
on a shared file system or any fsspec URL (``s3://``, ``gs://``, ``https://``...).

dask is imported only when a cluster is used: the rest of the package, and users
without the extra, never load it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from ..rules.errors import ElectionError

__all__ = ["cluster_executor", "ClusterUnavailable"]


class ClusterUnavailable(ElectionError, ImportError):
    """``dask.distributed`` is not installed (``pip install 'seqvrf[cluster]'``)."""


@contextmanager
def cluster_executor(scheduler: Any) -> Iterator[Executor]:
    """An executor running tasks on a dask cluster, closed (with its client) on exit.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``), or a cluster object
            such as ``distributed.LocalCluster``.

    Yields:
        The client's executor (tasks are submitted as impure: a task given twice runs twice).

    Raises:
        ClusterUnavailable: dask.distributed is not installed.
        OSError: the scheduler cannot be reached (dask's own timeout error).
    """
    try:
        # Optional and imported on use; through importlib so that type checks do not
        # depend on whether the extra is installed.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise ClusterUnavailable("the cluster audit needs dask.distributed: pip install 'seqvrf[cluster]'") from exc
    client = distributed.Client(scheduler, set_as_default=False)
    try:
        executor: Executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=True)
    finally:
        client.close()
