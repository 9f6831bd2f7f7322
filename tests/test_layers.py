"""The layers point one way: the infrastructure (app/core, app/api, app/background) imports no feature,
and each feature imports only the features of the layers below its own (so none imports another back).

Read from the source, as tests/workflows/test_independence.py does: every import statement of every
module (those inside functions and under ``TYPE_CHECKING`` too), parsed with :mod:`ast`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
INFRASTRUCTURE = frozenset({"core", "api", "background", "ops"})
#: Modules of app/ outside any package that the infrastructure may use: they import no feature either
#: (test_the_neutral_modules_import_no_feature keeps them so).
NEUTRAL = frozenset({"extensions", "errors", "logs"})
PACKAGES = frozenset(path.parent.name for path in APP.glob("*/__init__.py"))
FEATURES = PACKAGES - INFRASTRUCTURE
#: The infrastructure's one way up, as (importing module, imported module): a job run on a worker
#: builds the app with the factory, and the factory is what puts the features together.
COMPOSITION = frozenset({("app.background.queue", "app")})

#: The features from the bottom up: each imports only features of the layers below its own, so
#: no two features import each other, directly or through others. The audit trail and the people
#: are at the bottom; notifications knows no event (each feature words its own, in its
#: ``listeners.py``) and asks what it shows of projects and reminders through
#: ``notifications.registry``; the core domain goes projects < milestones < commitments < roadmap,
#: a feature reacting to a change below it through a domain event or a check it registers; the
#: pages that show a campaign whole are composed above them all, in ``campaigns``.
LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer) for layer in (
    {"audit"},
    {"accounts"},
    {"notifications", "regions"},
    {"catalog", "customers", "projects", "teams"},
    {"briefings", "milestones", "publishing", "updates"},
    {"commitments", "reminders"},
    {"calendars", "feedback", "roadmap"},
    {"campaigns", "comments", "imports", "reports", "search"},
    {"dashboard"},
    {"webhooks"},
    {"demo"},
))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _annotation_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under ``if TYPE_CHECKING:`` of a module: they exist for annotations only."""
    return {statement for node in ast.walk(tree) if isinstance(node, ast.If)
            and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
            for statement in node.body if isinstance(statement, ast.Import | ast.ImportFrom)}


def is_relationship_annotation(importer: str, imported: str) -> bool:
    """A models module naming another feature's models module for a relationship's annotation
    (``Project.milestones``): the other side of a natural join, declared by string to the mapper.
    It is no dependency at run time, so it does not count towards the layers."""
    return importer.endswith(".models") and imported.endswith(".models")


def imports(path: Path) -> Iterator[str]:
    """The modules ``path`` imports; ``from package import name`` is the submodule when ``name`` is one.

    Every import counts (inside functions too) except a relationship's annotation under
    ``TYPE_CHECKING`` (:func:`is_relationship_annotation`)."""
    name = module_name(path)
    for imported, annotation_only in _imports(path):
        if not (annotation_only and is_relationship_annotation(name, imported)):
            yield imported


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    annotation_only = _annotation_only(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node in annotation_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                yield (f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base,
                       node in annotation_only)


def sources(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


def app_part(name: str) -> str | None:
    """The package or module right under app/ that ``name`` is in (``""`` for the app factory itself)."""
    parts = name.split(".")
    if parts[0] != "app":
        return None
    return parts[1] if len(parts) > 1 else ""


def test_the_layers_are_what_this_test_knows() -> None:
    assert INFRASTRUCTURE <= PACKAGES
    assert {"accounts", "notifications", "reminders", "projects"} <= FEATURES


def test_the_infrastructure_imports_no_feature() -> None:
    allowed = INFRASTRUCTURE | NEUTRAL
    wrong = sorted(
        f"{module_name(path)} imports {name}"
        for package in INFRASTRUCTURE for path in sources(package) for name in imports(path)
        if (part := app_part(name)) is not None and part not in allowed
        and (module_name(path), name) not in COMPOSITION
    )
    assert not wrong, "the infrastructure must not import a feature (let the feature register itself):\n" + "\n".join(wrong)


def test_the_neutral_modules_import_no_feature() -> None:
    for module in NEUTRAL:
        path = APP / f"{module}.py"
        wrong = sorted(name for name in imports(path) if app_part(name) not in {None, *INFRASTRUCTURE, *NEUTRAL})
        assert not wrong, f"app.{module} imports {wrong}"


def feature_graph() -> dict[str, set[str]]:
    """Feature package → the other feature packages its modules import."""
    graph: dict[str, set[str]] = {feature: set() for feature in FEATURES}
    for feature in FEATURES:
        for path in sources(feature):
            graph[feature].update(part for name in imports(path)
                                  if (part := app_part(name)) in FEATURES and part != feature)
    return graph


def layer_of(feature: str) -> int:
    return next(number for number, layer in enumerate(LAYERS) if feature in layer)


def test_every_feature_has_one_layer() -> None:
    placed = [feature for layer in LAYERS for feature in layer]
    assert sorted(placed) == sorted(FEATURES), "put each feature package in one layer of LAYERS"


def test_features_import_only_the_layers_below_their_own() -> None:
    wrong = sorted(f"{feature} imports {other}" for feature, others in feature_graph().items() for other in others
                   if layer_of(other) >= layer_of(feature))
    assert not wrong, ("a feature may import only features of lower layers (react to a change through an "
                       "event, or register a check, instead):\n" + "\n".join(wrong))


def test_only_a_relationship_annotation_is_left_out() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nfrom app.accounts.models import User\n"
                     "if TYPE_CHECKING:\n    from app.projects.models import Project\n")
    assert [type(node).__name__ for node in _annotation_only(tree)] == ["ImportFrom"]
    assert is_relationship_annotation("app.milestones.models", "app.projects.models")
    assert not is_relationship_annotation("app.milestones.views", "app.projects.models")
    assert not is_relationship_annotation("app.milestones.models", "app.projects.services")
    # Project.milestones is such an annotation; the run-time imports of app.projects.models still count.
    assert "app.milestones.models" not in set(imports(APP / "projects" / "models.py"))
    assert "app.accounts.models" in set(imports(APP / "projects" / "models.py"))
