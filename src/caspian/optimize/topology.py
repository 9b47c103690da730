"""Network topology for Kirchhoff's voltage law: sub-networks and a cycle basis of the lines.

Lines (passive branches) join buses into sub-networks, the synchronous areas; links do not. In
each sub-network the flows obey Kirchhoff's voltage law around every cycle. We take the
fundamental cycles of a breadth-first spanning tree: each line not in the tree closes exactly
one cycle with the tree path between its ends, and these cycles form a basis of the cycle space
(Hörsch et al., "Linear optimal power flow using cycle flows", EPSR 158, 2018).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CycleBasis:
    """A cycle basis as a sparse incidence list.

    ``line[k]`` lies on ``cycle[k]`` with orientation ``sign[k]`` (+1 when the cycle runs from
    bus0 to bus1). ``n_cycles`` is the number of independent cycles.
    """

    line: np.ndarray
    cycle: np.ndarray
    sign: np.ndarray
    n_cycles: int


def cycle_basis(n_buses: int, bus0: np.ndarray, bus1: np.ndarray) -> CycleBasis:
    """Fundamental cycles of a breadth-first spanning forest of the multigraph of lines.

    Parameters
    ----------
    n_buses : number of buses (nodes 0..n_buses-1).
    bus0, bus1 : integer end points of each line; parallel lines form cycles of length two.
    """
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_buses)]
    for line, (a, b) in enumerate(zip(bus0.tolist(), bus1.tolist(), strict=True)):
        adjacency[a].append((b, line))
        adjacency[b].append((a, line))

    parent = np.full(n_buses, -1)
    parent_line = np.full(n_buses, -1)
    depth = np.full(n_buses, -1)
    in_tree = np.zeros(len(bus0), dtype=bool)
    for root in range(n_buses):
        if depth[root] >= 0:
            continue
        depth[root] = 0
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for other, line in adjacency[node]:
                if depth[other] < 0:
                    depth[other] = depth[node] + 1
                    parent[other] = node
                    parent_line[other] = line
                    in_tree[line] = True
                    queue.append(other)

    lines_k: list[int] = []
    cycles_k: list[int] = []
    signs_k: list[int] = []
    n_cycles = 0
    for line in np.flatnonzero(~in_tree).tolist():
        a, b = int(bus0[line]), int(bus1[line])
        # The cycle runs a -> b along the line, then back from b to a through the tree.
        entries = [(line, 1)]
        up_from_b: list[tuple[int, int]] = []
        up_from_a: list[tuple[int, int]] = []
        x, y = b, a
        while depth[x] > depth[y]:
            up_from_b.append(_tree_step(x, parent, parent_line, bus0))
            x = parent[x]
        while depth[y] > depth[x]:
            up_from_a.append(_tree_step(y, parent, parent_line, bus0))
            y = parent[y]
        while x != y:
            up_from_b.append(_tree_step(x, parent, parent_line, bus0))
            up_from_a.append(_tree_step(y, parent, parent_line, bus0))
            x, y = parent[x], parent[y]
        # Walking up from b follows the cycle's direction; walking up from a goes against it.
        entries += up_from_b
        entries += [(ln, -s) for ln, s in up_from_a]
        for ln, s in entries:
            lines_k.append(ln)
            cycles_k.append(n_cycles)
            signs_k.append(s)
        n_cycles += 1
    return CycleBasis(
        line=np.asarray(lines_k, dtype=np.int64),
        cycle=np.asarray(cycles_k, dtype=np.int64),
        sign=np.asarray(signs_k, dtype=float),
        n_cycles=n_cycles,
    )


def _tree_step(
    node: int, parent: np.ndarray, parent_line: np.ndarray, bus0: np.ndarray
) -> tuple[int, int]:
    """The tree line from ``node`` to its parent and +1 if walking it goes bus0 -> bus1."""
    line = int(parent_line[node])
    return line, 1 if int(bus0[line]) == node else -1
