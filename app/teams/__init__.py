"""Sales teams ("Milan field sales") in regions, and where each seller stands: region and team."""
