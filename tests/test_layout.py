"""The package's wiring rules, checked on its source (DESIGN.md §2 and §4 rule 10).

- No import cycles among ``engage`` modules, counting the imports that run when a module is
  imported (module level, class bodies, ``try``/``if`` at module level; not ``if TYPE_CHECKING``).
- Every import inside a function says why it is there: a comment on its line or the line above.
- Importing a module registers nothing: no module-level call adds a command, blueprint, route,
  signal receiver, fork or exit hook to an object that another module owns.
- ``engage.models`` imports every module that defines a model (the metadata Alembic compares).
- The ``engage`` command (``engage.cli``) loads nothing that must come after gevent patched the
  standard library: no lock or thread made at import, no Redis, PostgreSQL, gunicorn or
  Prometheus client.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "engage"

# Calls that hook something into an object: fine on the module's own objects (that is how a
# blueprint or the `engage` group is defined), a side effect on anyone else's.
REGISTERING = {"add_command", "register_blueprint", "record", "record_once", "connect",
               "register_at_fork", "register", "add_url_rule", "init_app", "listens_for"}


@dataclass(frozen=True)
class Import:
    module: str      # the module that imports
    target: str      # the engage module (or outside module) it imports
    line: int
    in_function: bool
    end_line: int = 0    # the statement's last line
    block_line: int = 0  # the first line of the run of import statements it belongs to


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Module name → file, for every module of ``package`` (a directory)."""
    return {module_name(path, package.parent): path for path in sorted(package.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every import statement in ``path``; ``from a import b`` targets ``a.b`` when that is
    a module of the package, else ``a`` (parent packages, always imported first, are not
    counted: they would make every package a cycle with its own submodules)."""
    found: list[Import] = []
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool) -> None:
        block = 0
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_statement(other, in_function, other.lineno)
                block = 0
                continue
            is_import = isinstance(child, (ast.Import, ast.ImportFrom))
            block = (block or child.lineno) if is_import else 0
            visit_statement(child, in_function, block)

    def visit_statement(child: ast.AST, in_function: bool, block: int) -> None:
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            else:
                base = _resolve(module, is_package, child)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                           for alias in child.names]
            for target in dict.fromkeys(targets):
                found.append(Import(module, target, child.lineno, in_function,
                                    child.end_lineno or child.lineno, block or child.lineno))
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            visit(child, True)
        else:
            visit(child, in_function)

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


def all_imports(files: dict[str, Path]) -> list[Import]:
    known = set(files)
    return [found for module, path in files.items() for found in imports_of(module, path, known)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's; the package is far below the recursion limit
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return components


def module_level_graph(files: dict[str, Path], *,
                       with_functions: bool = False) -> dict[str, set[str]]:
    """Who imports whom among ``files`` when a module is imported (``with_functions``: also
    the imports that run when a function does)."""
    known = set(files)
    graph: dict[str, set[str]] = {}
    for found in all_imports(files):
        if (with_functions or not found.in_function) and found.target in known:
            graph.setdefault(found.module, set()).add(found.target)
    return graph


def _has_reason(lines: list[str], found: Import) -> bool:
    """A comment on the import statement's lines, or on the line above the run of import
    statements it belongs to (one comment may explain a block of imports)."""
    own = lines[found.line - 1:found.end_line]
    above = lines[found.block_line - 2].strip() if found.block_line >= 2 else ""
    return any("#" in line for line in own) or above.startswith("#")


def unexplained_function_imports(files: dict[str, Path]) -> list[str]:
    texts = {module: path.read_text().splitlines() for module, path in files.items()}
    return [f"{found.module}:{found.line} imports {found.target}"
            for found in all_imports(files)
            if found.in_function and not _has_reason(texts[found.module], found)]


def module_level_registrations(module: str, path: Path) -> list[str]:
    """Module-level calls (and decorators) that register something with an object this module
    imported: ``x.add_command(…)`` with ``x`` imported, or an imported ``register_…(…)``."""
    tree = ast.parse(path.read_text(), str(path))
    imported = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    found = []
    for node in tree.body:
        calls = [node.value] if isinstance(node, ast.Expr) else []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            calls = list(node.decorator_list)
        for call in calls:
            line = call.lineno
            call = call.func if isinstance(call, ast.Call) else call
            if isinstance(call, ast.Attribute) and call.attr in REGISTERING:
                owner = call.value
                while isinstance(owner, ast.Attribute):
                    owner = owner.value
                registers = isinstance(owner, ast.Name) and owner.id in imported
            else:
                registers = (isinstance(call, ast.Name) and call.id in imported
                             and (call.id in REGISTERING or call.id.startswith("register")))
            if registers:
                found.append(f"{module}:{line} {ast.unparse(call)}")
    return found


def model_modules(files: dict[str, Path]) -> set[str]:
    """Modules that define a class deriving from ``Base``."""
    return {module for module, path in files.items()
            if any(isinstance(node, ast.ClassDef)
                   and any(isinstance(base, ast.Name) and base.id == "Base" for base in node.bases)
                   for node in ast.parse(path.read_text()).body)}


THREADING = {"Lock", "RLock", "Thread", "local", "Event", "Condition", "Semaphore", "Timer"}


def import_time_threading(path: Path) -> list[int]:
    """Lines where a module or class body makes a ``threading`` object when imported."""
    found = []

    def scan(body) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                scan(node.body)
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr in THREADING
                            and isinstance(call.func.value, ast.Name)
                            and call.func.value.id == "threading"):
                        found.append(call.lineno)

    scan(ast.parse(path.read_text()).body)
    return found


BEFORE_GEVENT_FORBIDDEN = ("redis", "psycopg", "psycopg2", "gunicorn", "prometheus_client",
                           "gevent")


def modules_loaded_by(statement: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``statement``."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parent)
    return json.loads(result.stdout.splitlines()[-1])


# --- the rules ------------------------------------------------------------------------------

def test_engage_has_no_import_cycles():
    found = cycles(module_level_graph(source_files()))
    assert found == [], f"import cycles: {found}"


def test_no_cycle_hides_behind_a_function_level_import():
    found = cycles(module_level_graph(source_files(), with_functions=True))
    assert found == [], f"import cycles through function-level imports: {found}"


def test_every_function_level_import_says_why():
    missing = unexplained_function_imports(source_files())
    assert missing == [], "function-level imports without a reason:\n" + "\n".join(missing)


def test_importing_a_module_registers_nothing():
    found = [entry for module, path in source_files().items()
             for entry in module_level_registrations(module, path)]
    assert found == [], "module-level registrations:\n" + "\n".join(found)


def test_engage_models_imports_every_model_module():
    files = source_files()
    imported = {found.target for found in imports_of("engage.models", files["engage.models"],
                                                     set(files))}
    assert model_modules(files) - imported == set()


def test_the_engage_command_loads_nothing_that_must_wait_for_gevent():
    loaded = modules_loaded_by("import engage.cli")
    files = source_files()
    outside = [name for name in loaded if name.split(".")[0] in BEFORE_GEVENT_FORBIDDEN]
    locks = {name: import_time_threading(files[name]) for name in loaded if name in files}
    assert outside == [] and {name: lines for name, lines in locks.items() if lines} == {}


# --- the checks themselves can fail ---------------------------------------------------------

@pytest.fixture
def sample(tmp_path):
    """A throw-away package ``pkg`` for the checks to judge: ``sample({name: source})``."""

    def build(files: dict[str, str]) -> dict[str, Path]:
        for name, text in {"__init__.py": "", **files}.items():
            (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "pkg" / name).write_text(text)
        return source_files(tmp_path / "pkg")

    return build


def test_a_cycle_through_three_modules_is_found(sample):
    files = sample({"a.py": "from pkg import b\n",
                    "b.py": "from pkg.c import thing\n",
                    "c.py": "from . import a\nthing = 1\n",
                    "d.py": "import pkg.a\n"})
    assert cycles(module_level_graph(files)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_an_import_of_the_package_itself_counts(sample):
    files = sample({"__init__.py": "from pkg.a import x\nversion = 1\n",
                    "a.py": "x = 1\nfrom pkg import version\n"})
    assert cycles(module_level_graph(files)) == [["pkg", "pkg.a"]]


def test_function_level_and_type_checking_imports_make_no_module_level_cycle(sample):
    files = sample({"a.py": "from pkg import b\n",
                    "b.py": ("from typing import TYPE_CHECKING\n"
                             "if TYPE_CHECKING:\n    from pkg import a\n"
                             "def f():\n    from pkg import a\n")})
    assert cycles(module_level_graph(files)) == []
    assert cycles(module_level_graph(files, with_functions=True)) == [["pkg.a", "pkg.b"]]


def test_an_import_in_a_function_without_a_comment_is_reported(sample):
    files = sample({"a.py": ("def f():\n    import json\n\n"
                             "def g():\n    # the reason\n    import json\n    import csv\n\n"
                             "def h():\n    import json  # the reason\n\n"
                             "def i():\n    # the reason\n    x = 1\n    import json\n")})
    assert unexplained_function_imports(files) == ["pkg.a:2 imports json",
                                                   "pkg.a:15 imports json"]


def test_registering_on_an_imported_object_is_reported(sample):
    files = sample({"cli.py": "import click\nmain = click.Group()\n",
                    "a.py": ("import click\nfrom pkg.cli import main\n"
                             "group = click.Group()\n"
                             "group.add_command(click.Command('x'))\n"
                             "main.add_command(group)\n"
                             "@main.record_once\ndef f(state):\n    pass\n"
                             "from pkg.cli import register_things\n"
                             "register_things(group)\n")})
    assert module_level_registrations("pkg.a", files["pkg.a"]) == [
        "pkg.a:5 main.add_command", "pkg.a:6 main.record_once", "pkg.a:10 register_things"]


def test_models_and_import_time_locks_are_found(sample):
    files = sample({"models.py": ("from pkg.db import Base\n"
                                  "class Thing(Base):\n    pass\n"),
                    "locks.py": ("import threading\n_lock = threading.Lock()\n"
                                 "class Cache:\n    _default = threading.RLock()\n"
                                 "    def __init__(self):\n"
                                 "        self.lock = threading.Lock()\n")})
    assert model_modules(files) == {"pkg.models"}
    assert import_time_threading(files["pkg.locks"]) == [2, 4]


def test_a_loaded_module_is_seen():
    assert "csv" in modules_loaded_by("import csv")
    assert "csv" not in modules_loaded_by("pass")

