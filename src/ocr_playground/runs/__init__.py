"""Runs: one spec (pipeline, params, checkpoint, thresholds) over one dataset, with ground truth.

model (run, spec, item fields), store (SQLite, beside the jobs), plan (a spec checked and resolved
into work before anything runs), worker (one item, shared by both engines), local (process pool)
and ray_engine (Ray Data), files (items.parquet, predictions.json, metrics.json), service (the
run loop, resume, cancel, progress), cli (``batch`` and ``runs``).
"""
