"""The type gate: pyright and mypy, 0 errors, on fastkafka/ and on the code the docs give users to copy.

What is checked, with the repository's settings (pyrightconfig.json, mypy.ini):

- `fastkafka/` (which holds the README's complete example, `fastkafka/_examples/`);
- `.ci/typing_mistakes.py`, where each line marked `# expect-error` must be an error to both checkers, and no other;
- the README's Python blocks, in order, as one module (README.md is generated from nbs/index.ipynb: later blocks
  use the names of earlier ones, as a reader running them one after another would);
- every getting-started and guide notebook (nbs/getting_started/*.ipynb, nbs/guides/*.ipynb) as one module each:
  its code cells in order, hidden ones included (later cells use the names of earlier ones, and the hidden cells
  are the tests of what the page shows). IPython lines (`%time`, `!pip`) are blanked and cells that are not Python
  (`%%bash`, `%%writefile`) left out. Jupyter allows `await`, `async with` and `async for` at the top of a cell,
  which neither checker accepts in a .py file: a notebook that uses them becomes the body of
  `async def _notebook() -> None:`, its `#| export` cells (module-level names) staying at module level above it.
  A page that defines a name again in a later cell (a new `on_orders` for a new app) gets the later definition
  renamed (`on_orders__cell7`), as each cell means it; see `rename_redefinitions`.

Each error is printed where it is in the notebook (`nbs/guides/Consuming.ipynb cell 7, line 3`) or the README
(`README.md line 54`), then the counts per checker and per place. Exit code 1 on any error.

    python .ci/typecheck.py              # everything
    python .ci/typecheck.py --keep DIR   # also keep the extracted modules in DIR, to open them in an editor
"""
import argparse
import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOBS = ["nbs/getting_started/*.ipynb", "nbs/guides/*.ipynb"]
NOT_PYTHON_CELL_MAGICS = re.compile(r"^%%(?!time\b|timeit\b|capture\b)")  # %%time and friends run Python; %%bash does not
WRAPPER = "async def _notebook() -> None:"
MISTAKES = ROOT / ".ci" / "typing_mistakes.py"


@dataclass
class Extracted:
    "One generated module: its lines, and where each came from: (cell number, or None in the README; line), or None"
    name: str
    source: str  # the notebook or README.md, relative to the repository
    lines: list = field(default_factory=list)
    origins: list = field(default_factory=list)

    def add(self, line: str, origin) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def where(self, line: int) -> str:
        "The place of line `line` (1-based) of the generated module, in the notebook or README"
        origin = self.origins[line - 1] if 0 < line <= len(self.origins) else None
        if origin is None:
            return f"{self.source} (generated line {line})"
        cell, cell_line = origin
        return f"{self.source} line {cell_line}" if cell is None else f"{self.source} cell {cell}, line {cell_line}"


def directives(source: str) -> set:
    "nbdev's `#| name ...` directives of a cell (`export`, `hide`, ...), by name"
    return {line.replace(" ", "")[2:].split(":")[0].split(" ")[0] for line in source.splitlines()
            if line.replace(" ", "").startswith("#|")}


def python_lines(source: str) -> list:
    "The cell's lines with IPython's line magics and shell escapes blanked (line numbers kept)"
    return ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]


def needs_async_wrapper(code: str) -> bool:
    "True when the code is valid only with top-level await (`await`, `async with`, `async for` outside a function)"
    try:
        compile(code, "<cell>", "exec", ast.PyCF_ONLY_AST)
        compile(code, "<cell>", "exec")
        return False
    except SyntaxError:
        compile(code, "<cell>", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)  # a real syntax error is raised from here
        return True


def notebook_definitions(tree: ast.Module) -> dict:
    "{name: [line of each definition]} of the functions and classes a notebook defines at its top (not nested in one)"
    found = defaultdict(list)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[child.name].append(child.lineno)  # the `def`/`class` line, below its decorators
            elif isinstance(child, ast.stmt):
                visit(child)  # `if`, `with`, `async with` ... blocks at the top of a cell
    visit(tree)
    return {name: lines for name, lines in found.items() if len(lines) > 1}


def rename_redefinitions(lines: list, origins: list) -> list:
    """A page defines `on_orders` in one cell and a new `on_orders` (of a new app) in a later one: each cell is run and
    read on its own. In one module that is a redefinition, which mypy cannot follow (every later call is checked
    against the first definition). So each redefinition, and the uses of the name after it, are renamed
    `on_orders__cell7` (the cell it is defined in), as if each definition had a name of its own."""
    code = "\n".join(lines)
    redefined = notebook_definitions(ast.parse(code))
    if not redefined:
        return lines
    def_lines = {}  # name -> [(line of the definition's name, new name)]
    for name, starts in redefined.items():
        def_lines[name] = []
        for k, line in enumerate(starts):
            cell = origins[line - 1][0] if origins[line - 1] else None
            def_lines[name].append((line, name if k == 0 else f"{name}__cell{cell}" if cell is not None else f"{name}__{k + 1}"))
    # A use inside a function body is looked up when the function runs, after its cell ran: there the name is the
    # last definition of that cell or an earlier one. Elsewhere it is the last definition above the use.
    bodies = [(node.lineno + 1, node.end_lineno or node.lineno) for node in ast.walk(ast.parse(code))
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    cell_end = {}
    for line, origin in enumerate(origins, 1):
        if origin is not None:
            cell_end[origin[0]] = line
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    replacements = defaultdict(list)  # line -> [(column, old, new)]
    depth = 0  # inside brackets: `name=` there is a keyword argument, not the name
    for i, token in enumerate(tokens):
        if token.type == tokenize.OP:
            depth += token.string in "([{"
            depth -= token.string in ")]}"
        if token.type != tokenize.NAME or token.string not in def_lines:
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if before is not None and before.type == tokenize.OP and before.string == ".":
            continue
        if depth and after is not None and after.type == tokenize.OP and after.string == "=":
            continue
        line = seen_at = token.start[0]
        if origins[line - 1] is not None and any(first <= line <= last for first, last in bodies):
            seen_at = cell_end[origins[line - 1][0]]
        active = [new for start, new in def_lines[token.string] if start <= seen_at]
        if active and active[-1] != token.string:
            replacements[line].append((token.start[1], token.string, active[-1]))
    renamed = list(lines)
    for line, changes in replacements.items():
        text = renamed[line - 1]
        for column, old, new in sorted(changes, reverse=True):
            text = text[:column] + new + text[column + len(old):]
        renamed[line - 1] = text
    return renamed


def module_of(name: str, source: str, cells: list) -> Extracted:
    """The module for `cells` [(cell number or None, code, is an export cell)]: at module level, or inside
    `async def _notebook()` when the code awaits at the top; export cells always at module level, first"""
    exported = [(n, code) for n, code, is_export in cells if is_export]
    body = [(n, code) for n, code, is_export in cells if not is_export]
    lines, origins, in_body = [], [], []
    for part in (exported, body):
        for number, code in part:
            for i, line in enumerate(code.splitlines(), 1):
                lines.append(line)
                origins.append((number, i))
                in_body.append(part is body)
            lines.append("")
            origins.append(None)
            in_body.append(part is body)
    module = Extracted(name, source)
    module.origins = [None, *origins]  # for `where`, below the header line
    try:
        wrap = needs_async_wrapper("\n".join(line for line, is_body in zip(lines, in_body) if is_body))
        lines = rename_redefinitions(lines, origins)
    except SyntaxError as e:
        sys.exit(f"{module.where(1 + (e.lineno or 0) + sum(not b for b in in_body))}: not Python: {e.msg}")
    module.origins = []
    module.add("# Generated by .ci/typecheck.py from " + source, None)
    wrapped = False
    for line, origin, is_body in zip(lines, origins, in_body):
        if wrap and is_body and not wrapped:
            module.add(WRAPPER, None)
            wrapped = True
        module.add(("    " + line if wrap and is_body and line.strip() else line), origin)
    if wrap and not wrapped:
        module.add(WRAPPER + " pass", None)
    return module


def notebook_module(path: Path) -> Extracted:
    cells = []
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or NOT_PYTHON_CELL_MAGICS.match(source.lstrip()):
            continue
        found = directives(source)
        if "default_exp" in found:
            continue
        cells.append((number, "\n".join(python_lines(source)), "export" in found or "exporti" in found))
    rel = path.relative_to(ROOT).as_posix()
    name = re.sub(r"\W", "_", rel[len("nbs/"):-len(".ipynb")])
    return module_of(name, rel, cells)


def readme_module(path: Path) -> Extracted:
    "The README's ```python blocks, in order, each line numbered as in README.md"
    blocks, lines, start = [], path.read_text(encoding="utf-8").splitlines(), None
    for i, line in enumerate(lines, 1):
        if start is None and line.strip() == "```python":
            start = i
        elif start is not None and line.strip() == "```":
            blocks.append((start, "\n".join(lines[start:i - 1])))
            start = None
    module = module_of("readme", path.name, [(None, code, False) for _, code in blocks])
    # README lines: the block's first code line is the line after its fence
    firsts = iter(first + 1 for first, _ in blocks)
    offsets, first = [], None
    for origin in module.origins:
        if origin is not None and origin[1] == 1:
            first = next(firsts)
        offsets.append(None if origin is None else (None, first + origin[1] - 1))
    module.origins = offsets
    return module


def mistakes_module(path: Path) -> Extracted:
    module = Extracted("typing_mistakes", path.relative_to(ROOT).as_posix())
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        module.add(line, (None, i))
    return module


def expected_errors(module: Extracted) -> set:
    "The places of the lines marked `# expect-error`"
    return {module.where(i) for i, line in enumerate(module.lines, 1) if "# expect-error" in line}


def unmet_expectations(findings: list, module: Extracted) -> list:
    "The marked lines a checker did not report, as findings of their own"
    missing = []
    for checker in ("pyright", "mypy"):
        reported = {f.place for f in findings if f.checker == checker}
        missing += [Finding(checker, place, module.source, "expect-error", "no error reported for a line marked # expect-error")
                    for place in sorted(expected_errors(module) - reported)]
    return missing


def extract(out: Path) -> dict:
    "Write every module into `out`; {file name: Extracted}"
    modules = [readme_module(ROOT / "README.md"), mistakes_module(MISTAKES)]
    modules += [notebook_module(p) for pattern in NOTEBOOK_GLOBS for p in sorted(ROOT.glob(pattern))]
    written = {}
    for module in modules:
        (out / f"{module.name}.py").write_text("\n".join(module.lines) + "\n", encoding="utf-8")
        written[f"{module.name}.py"] = module
    return written


@dataclass
class Finding:
    checker: str
    place: str  # where a reader finds it
    group: str  # fastkafka/, README.md or the notebook
    rule: str
    message: str


def run_pyright(out: Path, modules: dict) -> list:
    settings = json.loads((ROOT / "pyrightconfig.json").read_text())
    def relative(path: str) -> str:  # pyright ignores absolute paths in a config file; this one is in `out`
        return os.path.relpath(ROOT / path, out)

    settings["include"] = [relative(p) for p in settings.get("include", ["fastkafka"])] + ["."]
    settings["exclude"] = [p if p.startswith("**") else relative(p) for p in settings.get("exclude", [])]
    settings["extraPaths"] = [relative(".")]  # fastkafka from its source, whatever the editable install's import hook
    config = out / "pyrightconfig.json"
    config.write_text(json.dumps(settings, indent=2))
    pyright = shutil.which("pyright")
    if pyright is None:
        sys.exit('pyright is not installed: pip install -e ".[test]"')
    done = subprocess.run([pyright, "-p", str(config), "--outputjson"], capture_output=True, text=True, cwd=ROOT)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"pyright failed (exit code {done.returncode}):\n{done.stdout}\n{done.stderr}")
    findings = []
    for d in report["generalDiagnostics"]:
        if d["severity"] != "error":
            continue
        findings.append(finding("pyright", Path(d["file"]), d["range"]["start"]["line"] + 1, d.get("rule", ""),
                                d["message"], out, modules))
    return findings


def run_mypy(out: Path, modules: dict) -> list:
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"), "--output", "json",
               "fastkafka", *[str(out / name) for name in modules]]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "MYPYPATH": str(ROOT)})
    findings, rest = [], []
    for line in done.stdout.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            rest.append(line)
            continue
        if d.get("severity") == "error":
            findings.append(finding("mypy", Path(d["file"]), d["line"], d.get("code") or "", d["message"], out, modules))
    if "No module named mypy" in done.stderr:
        sys.exit('mypy is not installed: pip install -e ".[test]"')
    if done.returncode not in (0, 1) or (done.returncode == 1 and not findings):
        sys.exit(f"mypy failed (exit code {done.returncode}):\n" + "\n".join(rest) + done.stderr)
    return findings


def finding(checker: str, file: Path, line: int, rule: str, message: str, out: Path, modules: dict) -> Finding:
    file = (file if file.is_absolute() else ROOT / file).resolve()
    message = message.strip().replace("\n", "\n      ")
    if not file.is_relative_to(ROOT):  # an extracted module (mypy replays the errors of one unchanged since an
        # earlier run, under that run's temporary directory: the module's name is what tells it)
        module = modules[file.name]
        return Finding(checker, module.where(line), module.source, rule, message)
    rel = file.relative_to(ROOT).as_posix()
    return Finding(checker, f"{rel}:{line}", "fastkafka/" if rel.startswith("fastkafka/") else rel, rule, message)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="write the extracted modules here and keep them")
    args = parser.parse_args()
    out = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="fastkafka-typecheck-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        modules = extract(out)
        findings = run_pyright(out, modules) + run_mypy(out, modules)
        mistakes = modules[f"{MISTAKES.stem}.py"]
        expected = expected_errors(mistakes)
        findings = [f for f in findings if f.place not in expected] + unmet_expectations(findings, mistakes)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    for f in findings:
        print(f"{f.place}: [{f.checker}] {f.message}" + (f"  [{f.rule}]" if f.rule else ""))
    print(f"\nChecked fastkafka/, README.md, {len(modules) - 2} notebooks ({', '.join(NOTEBOOK_GLOBS)}), and that both "
          f"checkers report the {len(expected)} mistakes of {MISTAKES.relative_to(ROOT)}")
    per_group = defaultdict(Counter)
    for f in findings:
        per_group[f.group][f.checker] += 1
    for group, counts in sorted(per_group.items()):
        print(f"  {group}: pyright {counts['pyright']}, mypy {counts['mypy']}")
    causes = Counter((f.checker, f.rule) for f in findings)
    if causes:
        print("by cause: " + ", ".join(f"{checker} {rule or '(no rule)'} {n}" for (checker, rule), n in causes.most_common()))
    totals = Counter(f.checker for f in findings)
    print(f"pyright: {totals['pyright']} errors, mypy: {totals['mypy']} errors")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
