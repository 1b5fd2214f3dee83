"""`make bench`: measured figures, written to docs/BENCHMARKS.md as ratios against baselines
measured in the same run."""
