"""The figures of the rendering under way, for the layouts' filters: which stand with a part,
event or demand (``anchor|figures``), and each one's image (``figure_id|figure_image``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .current import RenderState
from .figureview import FigureView


@dataclass(frozen=True)
class ImageRef:
    """What a template writes into ``<img>``."""

    src: str
    width: int
    height: int
    srcset: str = ""
    sizes: str = ""
    lazy: bool = False


@dataclass(frozen=True)
class FigureContext:
    placed: tuple[FigureView, ...] = ()  # shown with their owners (none: the edition groups)
    images: Mapping[str, ImageRef] = field(default_factory=dict)  # by figure id


_CURRENT: RenderState[FigureContext] = RenderState("figures", FigureContext())
current_figures = _CURRENT.using


def _context() -> FigureContext:
    return _CURRENT.get()


def _figures(anchor: str) -> tuple[FigureView, ...]:
    """The figures standing with the part, event or demand of ``anchor``."""
    return tuple(f for f in _context().placed if f.owner == anchor)


def _image(figure_id: str) -> ImageRef:
    """The image the output has for the figure (src, width, height, srcset …)."""
    return _context().images[figure_id]


FIGURE_FILTERS: dict[str, Callable[..., object]] = {"figures": _figures,
                                                     "figure_image": _image}
