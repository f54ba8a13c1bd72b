"""Demo specifications shared by the test suites (importable as ``demo_specs``)."""

from civicpulse_report.demo import DemoSpec

# Small but complete: every LA type, two neighbourhoods or more per LA, three waves.
SMALL_SPEC = DemoSpec(n_las=8, respondents=(420, 520), seed=7)
