"""The demo data set loaded by `parley demo`."""

from parley.demo.loader import load_demo

__all__ = ["load_demo"]
