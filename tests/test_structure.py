"""The package's shape, derived from its source so it stays true: imports flow one way (no
cycles), no module imports another module's underscore name, no library module reaches the
built-in seed, and ``import sampling`` loads neither scipy.stats, statsmodels nor matplotlib."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "sampling"
#: The layers, top to bottom: a subpackage imports only itself and the layers below it.
#: (``errors`` sits beside ``_utils`` at the bottom; ``examples`` stands apart, above the
#: library and reached only by ``cli``.)
LAYERS = ("cli", "report", "charts", "comparison", "rating", "estimation", "results", "draw", "plan",
          "stats", "design", "_utils")


#: Modules at the top (the interface layer: the command line and the examples): the only
#: ones that may import the seed.
def _is_top(module: str) -> bool:
    return module == "sampling.__main__" or module.split(".")[:2] in (["sampling", "cli"], ["sampling", "examples"])


def _layer(module: str) -> int | None:
    """Index of the module's layer in LAYERS (errors counts as the bottom), None otherwise."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    if parts[1] == "errors":
        return len(LAYERS)
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def _modules() -> dict[str, Path]:
    out = {}
    for f in sorted(PKG.rglob("*.py")):
        parts = list(f.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _imports(module: str, path: Path, modules: dict) -> list[tuple[str, str]]:
    """(target module, imported name) for every ``from sampling... import`` in the file."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "sampling":
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.append((full, "") if full in modules else (target, alias.name))
        elif isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names if a.name.split(".")[0] == "sampling"]
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return modules, {m: _imports(m, p, modules) for m, p in modules.items()}


def test_no_import_cycles(graph):
    modules, imports = graph
    edges = {m: {t for t, _ in imports[m] if t in modules and t != m and modules[t].name != "__init__.py"}
             for m in modules if modules[m].name != "__init__.py"}
    state: dict[str, int] = {}

    def visit(m, path):
        state[m] = 1
        for t in edges.get(m, ()):
            assert state.get(t) != 1, f"import cycle: {' -> '.join(path + [m, t])}"
            if t not in state:
                visit(t, path + [m])
        state[m] = 2

    for m in edges:
        if m not in state:
            visit(m, [])


def test_no_module_imports_another_modules_private_name(graph):
    _, imports = graph
    bad = [f"{m} imports {t}.{name}" for m, pairs in imports.items() for t, name in pairs
           if name.startswith("_") and not name.startswith("__") and t != m]
    assert not bad, bad


def test_only_the_interface_reaches_the_seed(graph):
    _, imports = graph
    bad = [m for m, pairs in imports.items() if not _is_top(m)
           and any(t == "sampling.examples" or name in ("examples", "seeds") for t, name in pairs)]
    assert not bad, f"library modules importing the seed: {bad}"
    text = [m for m, p in _modules().items() if not _is_top(m) and "sampling.seeds" in p.read_text()]
    assert not text, f"library modules naming the seed package: {text}"


def test_every_module_lives_in_a_stage():
    """The file listing is the map: only __init__, __main__ and errors stay at the top."""
    loose = [m for m, p in _modules().items() if m.count(".") == 1 and p.name != "__init__.py"
             and m not in ("sampling.__main__", "sampling.errors") and _layer(m) is None
             and not m.startswith("sampling.examples")]
    assert not loose, loose


def test_imports_flow_down_the_layers(graph):
    modules, imports = graph
    up = []
    for m, pairs in imports.items():
        here = _layer(m)
        for t, _ in pairs:
            there = _layer(t)
            if here is not None and there is not None and there < here:
                up.append(f"{m} imports {t}")
            if t.startswith("sampling.examples") and not _is_top(m) and not m.startswith("tests"):
                up.append(f"{m} imports the examples")
    assert not up, up


def test_the_layer_contract_holds():
    """import-linter's contracts in pyproject.toml (layers, and only cli reaches examples)."""
    from pathlib import Path as _P
    lint = _P(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=PKG.parent)
    assert out.returncode == 0, out.stdout + out.stderr


def test_import_sampling_is_light():
    code = ("import sampling, sys; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('scipy', 'statsmodels', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_functions_are_short_and_modules_small(graph):
    modules, _ = graph
    long_functions, big = [], []
    for m, path in modules.items():
        src = path.read_text()
        if src.count("\n") > 600:
            big.append(m)
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                doc = body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
                start = body[0].end_lineno + 1 if doc else node.lineno
                if node.end_lineno - start + 1 > 80:
                    long_functions.append(f"{m}.{node.name}")
    assert not long_functions and not big, (long_functions, big)
