"""Demo specifications shared by the test suites (importable as ``demo_specs``)."""

from civicpulse_report.demo import DemoSpec

# Small but complete: every LA type, two neighbourhoods or more per LA, three waves.
SMALL_SPEC = DemoSpec(n_las=8, respondents=(420, 520), seed=7)


def keep_las(src, out, keep):  # type: ignore[no-untyped-def]
    """Copy the demo data folder ``src`` into ``out`` with only the LAs ``keep``.

    Every table keeps those LAs' rows (and England's, in the legacy table), so
    the folder is consistent: a nation of just those LAs.
    """
    import pandas as pd

    keep = set(keep)
    out.mkdir(parents=True, exist_ok=True)
    lookup = pd.read_csv(src / "la_lookup.csv", dtype=str)
    lookup[lookup["la_code"].isin(keep)].to_csv(out / "la_lookup.csv", index=False)
    for name in ("neighbourhoods.csv", "legacy_indicators.csv"):
        table = pd.read_csv(src / name, dtype=str, keep_default_na=False)
        table[table["la_code"].isin(keep | {"E92000001"})].to_csv(out / name, index=False)
    survey = pd.read_parquet(src / "survey.parquet")
    survey[survey["la_code"].isin(keep)].to_parquet(out / "survey.parquet", index=False)
    return out
