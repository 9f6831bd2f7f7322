# Shortcuts; the README's two commands are scripts/run and scripts/test.
.PHONY: run test lint
run:
	scripts/run
test:
	scripts/test
lint:
	.venv/bin/ruff check .
