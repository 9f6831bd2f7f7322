"""Re-plans with reasons, baselines, the comparison with them, and the timeline picture."""
