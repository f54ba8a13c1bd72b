"""The deterministic synthetic demo data set, calibrated to published England figures.

The public face of the demo stage: :class:`DemoSpec` says what to make,
:func:`generate_demo` makes it (a :class:`DemoData`), :func:`write_demo` writes
it as the input files the pipeline reads. The modules behind it each make one
part: ``spec`` (the spec and the data container), ``geography`` and ``names``
(LAs and neighbourhoods), ``respondents`` (sample, demographics, weights and
the survey frame), ``latents`` (latent traits and planted patterns), ``item_models``
and ``items`` (item models; answers and calibration), ``legacy`` (Place Survey 2008 and Citizenship
Survey 2010-11), ``truth`` (truth.json), ``writer`` (the files) and
``generator`` (the run order). :func:`add_wave` (``waves``) appends the next
year to a folder written before, leaving the files already there untouched.
:func:`write_council_demo` (``council``) writes one LA's own survey and tables
with the benchmark file of the rest of the synthetic nation.
"""

from civicpulse_report.demo.council import write_council_demo
from civicpulse_report.demo.generator import generate_demo
from civicpulse_report.demo.spec import DemoData, DemoSpec
from civicpulse_report.demo.waves import AddedWave, add_wave
from civicpulse_report.demo.writer import write_demo

__all__ = [
    "AddedWave",
    "DemoData",
    "DemoSpec",
    "add_wave",
    "generate_demo",
    "write_council_demo",
    "write_demo",
]
