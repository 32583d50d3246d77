"""The demo production: synthetic sources, a project, a render."""

from postprod.demo.production import DemoResult, DemoSettings, run_demo

__all__ = ["DemoResult", "DemoSettings", "run_demo"]
