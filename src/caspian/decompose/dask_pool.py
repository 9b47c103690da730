"""Time blocks on a Dask cluster: one actor per worker, each keeping its blocks warm.

The blocks are split into contiguous groups, one per worker. Each group's data is scattered to
its worker once and a [`BlockGroup`][caspian.decompose.dask_pool.BlockGroup] actor built there holds
the HiGHS models for the whole run, so each round ships only the master's proposal (a few hundred
numbers per block) and brings back one cut per block. Works with a local cluster
([`DaskPool.local`][caspian.decompose.dask_pool.DaskPool.local]) or any running scheduler
(``DaskPool(Client("tcp://host:8786"), blocks)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from caspian.decompose.pool import LocalPool
from caspian.decompose.subproblem import BlockData, Outcome


class BlockGroup:
    """The actor: a ``LocalPool`` over some blocks, living on one worker."""

    def __init__(self, blocks: list[BlockData], options: dict[str, Any] | None) -> None:
        self._pool = LocalPool(blocks, options)

    def lower_bounds(self) -> list[Outcome]:
        return self._pool.lower_bounds()

    def solve(
        self, points: list[np.ndarray], want_solution: bool, keep: int | None
    ) -> list[Outcome]:
        return self._pool.solve(points, want_solution, keep)

    def combine(self, weights: list[dict[int, float]]) -> list[np.ndarray]:
        return self._pool.combine(weights)


class DaskPool:
    """Blocks solved in parallel on the workers of a Dask ``Client``.

    Parameters
    ----------
    client
        a ``distributed.Client``.
    blocks
        the blocks' data, in block order.
    options
        HiGHS options for the blocks.
    owned
        Dask objects the pool created (client, cluster), closed with it.
    """

    def __init__(
        self,
        client: Any,
        blocks: Sequence[BlockData],
        options: dict[str, Any] | None = None,
        *,
        owned: tuple[Any, ...] = (),
    ) -> None:
        self._client = client
        self._owned = owned
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise RuntimeError("the Dask cluster has no workers")
        groups = np.array_split(np.arange(len(blocks)), min(len(workers), len(blocks)))
        self._groups = [g.tolist() for g in groups if len(g)]
        self._actors = []
        for group, worker in zip(self._groups, workers, strict=False):
            data = client.scatter([blocks[b] for b in group], workers=[worker], direct=True)
            future = client.submit(BlockGroup, data, options, actor=True, workers=[worker])
            self._actors.append(future.result())
        self.n_blocks = len(blocks)
        self.dashboard_link: str | None = None
        """URL of Dask's dashboard of a local cluster started with one, else None."""

    @classmethod
    def local(
        cls,
        blocks: Sequence[BlockData],
        workers: int,
        options: dict[str, Any] | None = None,
        *,
        dashboard: bool = False,
    ) -> DaskPool:
        """A pool on a new local cluster of ``workers`` single-threaded processes, listening on
        loopback only; with ``dashboard`` Dask's dashboard too (``pool.dashboard_link``)."""
        from distributed import Client

        cluster = local_cluster(workers, dashboard=dashboard)
        client = Client(cluster)
        pool = cls(client, blocks, options, owned=(client, cluster))
        pool.dashboard_link = dashboard_link(cluster) if dashboard else None
        return pool

    @classmethod
    def connect(
        cls, address: str, blocks: Sequence[BlockData], options: dict[str, Any] | None = None
    ) -> DaskPool:
        """A pool on the workers of the running scheduler at ``address``."""
        from distributed import Client

        try:
            client = Client(address, timeout=30)
        except OSError as error:
            from caspian.exceptions import InputError

            raise InputError(
                f"cannot reach the Dask scheduler at {address!r}: {error}.",
                attribute="scheduler",
                value=address,
                hint="Start one with `dask scheduler` and `dask worker <address>`, or leave the "
                "scheduler out to solve the blocks on this machine.",
            ) from None
        return cls(client, blocks, options, owned=(client,))

    def lower_bounds(self) -> list[Outcome]:
        return self._gather([actor.lower_bounds() for actor in self._actors])

    def solve(
        self,
        points: Sequence[np.ndarray],
        want_solution: bool = False,
        keep: int | None = None,
    ) -> list[Outcome]:
        return self._gather(
            [
                actor.solve([points[b] for b in group], want_solution, keep)
                for actor, group in zip(self._actors, self._groups, strict=True)
            ]
        )

    def combine(self, weights: Sequence[dict[int, float]]) -> list[np.ndarray]:
        return self._gather(
            [
                actor.combine([weights[b] for b in group])
                for actor, group in zip(self._actors, self._groups, strict=True)
            ]
        )

    def _gather(self, futures: list[Any]) -> list[Any]:
        """The actors' per-group answers put back in block order."""
        out: list[Any] = [None] * self.n_blocks
        for group, future in zip(self._groups, futures, strict=True):
            for b, value in zip(group, future.result(), strict=True):
                out[b] = value
        assert all(o is not None for o in out)
        return out

    def close(self) -> None:
        self._actors.clear()
        for thing in self._owned:
            thing.close()


LOOPBACK = "127.0.0.1"
"""The only interface local clusters listen on: their scheduler, workers and HTTP routes
(health, metrics, call stacks, logs) are never reachable from the network."""


def local_cluster(workers: int, *, dashboard: bool = False) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded processes (each solve uses one
    core; the caller closes it), quiet, on loopback only.

    Every server of the cluster (the scheduler, each worker and nanny, and the HTTP routes Dask
    serves even without a dashboard) binds to ``127.0.0.1`` on a free port: nothing of a sweep's
    or a solve's logs, call stacks or metrics is readable from the network. With ``dashboard``
    the scheduler serves Dask's dashboard there too (:func:`dashboard_link`); from another
    machine, reach it through an SSH tunnel (``ssh -L 8787:127.0.0.1:PORT host``, then
    http://localhost:8787/status).
    """
    from distributed import LocalCluster

    loopback_free_port = f"{LOOPBACK}:0"
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host=LOOPBACK,
        dashboard_address=loopback_free_port if dashboard else None,
        worker_dashboard_address=loopback_free_port,
        # Even without a dashboard the scheduler serves health routes over HTTP (on port 8787
        # and every interface by default): loopback and a free port instead.
        scheduler_kwargs={} if dashboard else {"dashboard_address": loopback_free_port},
        silence_logs=40,
    )


def dashboard_link(cluster: Any) -> str:
    """The URL of the dashboard of a cluster from :func:`local_cluster` (``dashboard=True``)."""
    return str(cluster.dashboard_link)
