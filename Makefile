# Shortcuts; the README's two commands are scripts/run and scripts/test.
.PHONY: run test lint tour
run:
	scripts/run
test:
	scripts/test
lint:
	.venv/bin/ruff check .

# The README's tour pictures: taken by tests/browser/test_tour.py, kept in docs/tour/.
tour:
	.venv/bin/python -m pytest tests/browser/test_tour.py -q -p no:randomly
	mkdir -p docs/tour && cp test-artifacts/screenshots/tour-*.png docs/tour/
