"""The deterministic synthetic demo data set, calibrated to published England figures."""

from civicpulse_report.demo.generator import DemoSpec, generate_demo, write_demo

__all__ = ["DemoSpec", "generate_demo", "write_demo"]
