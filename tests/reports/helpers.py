"""What the report tests share: the regions and products of the ``dataset`` fixture, by name."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.models import Product
from app.regions.models import Region


@dataclass
class Dataset:
    north: Region
    south: Region
    east: Region
    dormant: Region
    alpha: Product
    beta: Product
